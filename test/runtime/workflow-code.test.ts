// Where the worker takes its workflow code from: bundled at start, or the file the image built.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config';
import {
  SANDBOX_PRELOAD_MODULES,
  workflowCodeFromEnv,
  WORKFLOWS_PATH,
} from '../../src/runtime/workflow-code';

describe('workflowCodeFromEnv', () => {
  it('bundles src/workflows at start when WORKFLOW_BUNDLE_PATH is unset', () => {
    const code = workflowCodeFromEnv({});
    assert.equal(code.kind, 'bundled at start');
    assert.deepEqual(code.option, {
      workflowsPath: WORKFLOWS_PATH,
      bundlerOptions: { preloadModules: SANDBOX_PRELOAD_MODULES },
    });
  });

  it('loads the pre-built bundle WORKFLOW_BUNDLE_PATH names', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(file, '/* bundle */');
    const code = workflowCodeFromEnv({ WORKFLOW_BUNDLE_PATH: file });
    assert.deepEqual(code, {
      kind: 'pre-bundled',
      path: file,
      option: { workflowBundle: { codePath: file } },
    });
  });

  it('names the variable and the command when the file is missing', () => {
    assert.throws(
      () => workflowCodeFromEnv({ WORKFLOW_BUNDLE_PATH: '/nowhere/workflow-bundle.js' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems[0]?.variable === 'WORKFLOW_BUNDLE_PATH' &&
        /\/nowhere\/workflow-bundle\.js does not exist; build it with `node dist\/src\/build-workflow-bundle\.js/.test(
          error.message,
        ),
    );
  });
});
