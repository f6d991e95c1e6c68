// The worker's workflow sandbox keeps no stack per promise, whichever way the worker gets its code.
// Seen from outside through the SDK's `__stack_trace` query, on a running workflow:
// - on the product's workflow threads (started under the sandbox watchdog, sandbox-thread.ts) the
//   SDK's promise hook is off, so the query answers that stack traces are not enabled;
// - on the SDK's own way of running workflows (here its debug mode, in this thread, as with
//   WORKER_DEADLOCK_DETECTION=sdk) the hook runs, and the preload
//   (src/workflows/sandbox-stack-traces.ts) leaves it no frames to keep;
// - control: that same way, with the workflows bundled without the preload, lists the frames the
//   workflow waits in ("at setupWorkflow (…)").
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker as Thread } from 'node:worker_threads';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import {
  buildWorkflowBundleCode,
  WORKFLOWS_PATH,
  workflowCodeFromEnv,
  type WorkflowCode,
} from '../../src/runtime/workflow-code';
import type { setupWorkflow } from '../../src/workflows';
import { newSandboxThreadState } from '../../src/runtime/sandbox-thread-state';
import { watchedThreadsStarted } from '../../src/runtime/sandbox-watchdog';
import type { SandboxThreadData } from '../../src/runtime/sandbox-thread';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { testDataConverter, testPayloadCodec } from '../helpers/test-data-converter';

/** The stack query's answer, or the message of its refusal. */
async function stackOfARunningWorkflow(
  env: TestWorkflowEnvironment,
  code: { kind: string; option: WorkflowCode['option'] },
  extra: Pick<WorkerOptions, 'debugMode' | 'dataConverter'> = {},
): Promise<{ stack: string } | { refused: string }> {
  const taskQueue = `sandbox-${code.kind.replace(/\W/g, '-')}${extra.debugMode ? '-debug' : ''}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...code.option,
    dataConverter: testDataConverter,
    ...extra,
  });
  return worker.runUntil(async () => {
    // No activities on this queue: the workflow starts and waits on its first one.
    const handle = await env.client.workflow.start<typeof setupWorkflow>('setupWorkflow', {
      taskQueue,
      workflowId: `${taskQueue}-setup`,
      args: [{ reservationLeadMinutes: 15, reservationLagMinutes: 15 }],
    });
    try {
      return { stack: await handle.query<string>('__stack_trace') };
    } catch (err) {
      // The client says "Failed to query Workflow"; the worker's reason is in the causes.
      const reasons: string[] = [];
      for (let e: unknown = err; e instanceof Error; e = e.cause) reasons.push(e.message);
      return { refused: reasons.join(' / ') };
    } finally {
      await handle.terminate('test done');
    }
  });
}

/** What the stand-in for the SDK's thread file reports: started as is, or through sandbox-thread.ts. */
async function promiseHookInstalled(through: 'the SDK alone' | 'sandbox-thread.ts'): Promise<boolean> {
  const sdkThreadFile = join(__dirname, 'fixtures', 'report-promise-hook.js');
  const thread =
    through === 'the SDK alone'
      ? new Thread(sdkThreadFile)
      : new Thread(join(__dirname, '..', '..', 'src', 'runtime', 'sandbox-thread.js'), {
          workerData: { sdkThreadFile, state: newSandboxThreadState() } satisfies SandboxThreadData,
        });
  try {
    const report = await new Promise<{ promiseHookInstalled: boolean }>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`the thread ended (${code}) without a report`)));
    });
    return report.promiseHookInstalled;
  } finally {
    await thread.terminate();
  }
}

describe("the product's workflow threads start without the SDK's promise hook", () => {
  it('control: the SDK installs it when its thread file runs alone', async () => {
    assert.equal(await promiseHookInstalled('the SDK alone'), true);
  });

  it('through sandbox-thread.ts, the same install puts none in', async () => {
    assert.equal(await promiseHookInstalled('sandbox-thread.ts'), false);
  });
});

describe('the workflow sandbox keeps no stack per promise', () => {
  let env: TestWorkflowEnvironment;
  let imageBundle: WorkflowCode;
  before(async () => {
    env = await createTimeSkippingEnv();
    const file = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(file, await buildWorkflowBundleCode());
    imageBundle = workflowCodeFromEnv({ WORKFLOW_BUNDLE_PATH: file });
  });
  after(async () => {
    await env?.teardown();
  });

  it('control: the SDK’s way, bundled without the preload, lists the running workflow’s frames', async () => {
    // Without this, an answer that never lists frames would pass the tests below for nothing.
    const answer = await stackOfARunningWorkflow(
      env,
      { kind: 'bundled without the preload', option: { workflowsPath: WORKFLOWS_PATH } },
      { debugMode: true },
    );
    assert.ok('stack' in answer, JSON.stringify(answer));
    assert.match(
      answer.stack,
      /\bat setupWorkflow\b/,
      `no frame of the running workflow in:\n${answer.stack}`,
    );
  });

  for (const [kind, code] of [
    ['bundled at start', () => workflowCodeFromEnv({})],
    ['the image’s bundle', () => imageBundle],
  ] as const)
    it(`the SDK’s way, ${kind}: no frames (the preload is in)`, async () => {
      const answer = await stackOfARunningWorkflow(env, code(), { debugMode: true });
      assert.ok('stack' in answer, JSON.stringify(answer));
      assert.doesNotMatch(answer.stack, /\bat\s/, `frames in the stack query's answer:\n${answer.stack}`);
    });

  it('the product’s threads: the query is refused, there being no promise hook', async (t) => {
    if (process.env.WORKER_DEADLOCK_DETECTION === 'sdk') {
      t.skip('WORKER_DEADLOCK_DETECTION=sdk: the SDK starts its own threads, with its hook');
      return;
    }
    const threadsBefore = watchedThreadsStarted();
    // Without the failure converter, the worker's reason reaches the client in plain words.
    const answer = await stackOfARunningWorkflow(env, workflowCodeFromEnv({}), {
      dataConverter: { payloadCodecs: [testPayloadCodec] },
    });
    assert.ok(watchedThreadsStarted() > threadsBefore, 'the worker ran on the product’s threads');
    assert.ok('refused' in answer, `answered: ${JSON.stringify(answer)}`);
    assert.match(answer.refused, /stack traces are not enabled/);
  });
});
