// The worker's workflow sandbox captures no stack per promise (src/workflows/sandbox-stack-traces.ts),
// whichever way the worker gets its code. Seen from outside through the SDK's `__stack_trace`
// query: with the capture on, it lists the frames the running workflow waits in
// ("at setupWorkflow (…)"); with the preload in the bundle, it lists none.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  buildWorkflowBundleCode,
  WORKFLOWS_PATH,
  workflowCodeFromEnv,
  type WorkflowCode,
} from '../../src/runtime/workflow-code';
import type { setupWorkflow } from '../../src/workflows';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { testDataConverter } from '../helpers/test-data-converter';

async function stackOfARunningWorkflow(
  env: TestWorkflowEnvironment,
  code: { kind: string; option: WorkflowCode['option'] },
): Promise<string> {
  const taskQueue = `sandbox-${code.kind.replace(/\W/g, '-')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...code.option,
    dataConverter: testDataConverter,
  });
  return worker.runUntil(async () => {
    // No activities on this queue: the workflow starts and waits on its first one.
    const handle = await env.client.workflow.start<typeof setupWorkflow>('setupWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-setup`,
      args: [{ reservationLeadMinutes: 15, reservationLagMinutes: 15 }],
    });
    const stack = await handle.query<string>('__stack_trace');
    await handle.terminate('test done');
    return stack;
  });
}

describe('the workflow sandbox captures no stack per promise', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  it('control: the same workflows bundled without the preload answer with frames', async () => {
    // Without this, an answer that never lists frames (say, a query the SDK renamed) would pass
    // the two tests below without the preload doing anything.
    const stack = await stackOfARunningWorkflow(env, {
      kind: 'bundled without the preload',
      option: { workflowsPath: WORKFLOWS_PATH },
    });
    assert.match(stack, /\bat setupWorkflow\b/, `no frame of the running workflow in:\n${stack}`);
  });

  it('when the worker bundles the workflows at start', async () => {
    const stack = await stackOfARunningWorkflow(env, workflowCodeFromEnv({}));
    assert.doesNotMatch(stack, /\bat\s/, `frames in the stack query's answer:\n${stack}`);
  });

  it('when the worker loads the bundle the image built', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(file, await buildWorkflowBundleCode());
    const stack = await stackOfARunningWorkflow(env, workflowCodeFromEnv({ WORKFLOW_BUNDLE_PATH: file }));
    assert.doesNotMatch(stack, /\bat\s/, `frames in the stack query's answer:\n${stack}`);
  });
});
