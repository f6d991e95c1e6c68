// Where a worker gets its workflow code. By default it bundles src/workflows with webpack at
// start (seconds of CPU, and webpack in the image). A production image bundles once at build
// time instead (`node dist/src/build-workflow-bundle.js`) and points WORKFLOW_BUNDLE_PATH at the
// file; the worker then loads it as is.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import { ConfigError } from '../config';
import { FAILURE_CONVERTER_PATH } from '../shared/data-converter';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Run once in the workflow sandbox before its globals freeze: see sandbox-stack-traces.ts. */
export const SANDBOX_PRELOAD_MODULES = [require.resolve('../workflows/sandbox-stack-traces')];

/** What every bundle of the product's workflows is made of: the image's, and the tests'. */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  failureConverterPath: FAILURE_CONVERTER_PATH,
  preloadModules: SANDBOX_PRELOAD_MODULES,
} satisfies BundleOptions;

/** The bundle's source: the same workflows, failure converter and preload the worker would bundle itself. */
export async function buildWorkflowBundleCode(): Promise<string> {
  const { code } = await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS);
  return code;
}

export type WorkflowCode =
  | { kind: 'pre-bundled'; path: string; option: Pick<WorkerOptions, 'workflowBundle'> }
  | {
      kind: 'bundled at start';
      option: Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'>;
    };

/** WORKFLOW_BUNDLE_PATH set: that file, which must exist; unset: bundle at start. */
export function workflowCodeFromEnv(env: NodeJS.ProcessEnv = process.env): WorkflowCode {
  const given = env.WORKFLOW_BUNDLE_PATH;
  if (!given)
    return {
      kind: 'bundled at start',
      option: {
        workflowsPath: WORKFLOWS_PATH,
        bundlerOptions: { preloadModules: SANDBOX_PRELOAD_MODULES },
      },
    };
  const path = resolve(given);
  if (!existsSync(path)) {
    throw new ConfigError([
      {
        variable: 'WORKFLOW_BUNDLE_PATH',
        message: `${path} does not exist; build it with \`node dist/src/build-workflow-bundle.js ${given}\`, or unset the variable to bundle at start`,
      },
    ]);
  }
  return { kind: 'pre-bundled', path, option: { workflowBundle: { codePath: path } } };
}
