// The worker enters the workflow sandbox without Node's per-call timeout, and one watchdog per
// process still catches a workflow stuck in it (src/runtime/sandbox-watchdog.ts). Each case runs
// a worker of a fixture workflow in a child process, since the watchdog ends the process it
// watches, on a dev server that this test owns; what reached Temporal is read from the history.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { STUCK_WORKFLOW_EXIT_CODE } from '../../src/runtime/sandbox-watchdog';
import { createDevServerEnv } from '../helpers/temporal-env';

const EventType = temporal.api.enums.v1.EventType;

interface WorkerRun {
  exited: Promise<number | null>;
  output: () => string;
  stop: () => void;
}

async function workerUnderWatchdog(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  fixture: 'stuck' | 'slow',
  deadlock: number | 'sdk',
): Promise<WorkerRun> {
  const script = join(__dirname, 'fixtures', 'worker-under-watchdog.js');
  const child = spawn(process.execPath, [script, env.address, taskQueue, fixture, String(deadlock)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A worker the watchdog fails to end must not outlive the test.
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));
  while (!output.includes('polling')) {
    const ended = await Promise.race([exited.then(() => true), once(child.stdout, 'data').then(() => false)]);
    assert.ok(!ended, `the worker ended before polling:\n${output}`);
  }
  return { exited, output: () => output, stop: () => child.kill('SIGKILL') };
}

async function historyOf(
  env: TestWorkflowEnvironment,
  workflowId: string,
): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

async function waitForFirstWorkflowTaskOutcome(
  env: TestWorkflowEnvironment,
  workflowId: string,
): Promise<temporal.api.history.v1.IHistoryEvent> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const outcome = (await historyOf(env, workflowId)).find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ||
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    );
    if (outcome) return outcome;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${workflowId}: its first workflow task had no outcome within 60 s`);
}

describe('the workflow sandbox watchdog', { concurrency: true }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createDevServerEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function startSetup(taskQueue: string): Promise<string> {
    const workflowId = `${taskQueue}-setup`;
    // Room for the slow fixture's 6 s activation on a loaded machine.
    await env.client.workflow.start('setupWorkflow', {
      taskQueue,
      workflowId,
      args: [],
      workflowTaskTimeout: '30 seconds',
    });
    return workflowId;
  }

  it('ends the worker, naming the workflow, when it stays in the sandbox past the deadlock time', async () => {
    const worker = await workerUnderWatchdog(env, 'watchdog-stuck', 'stuck', 1000);
    try {
      const workflowId = await startSetup('watchdog-stuck');
      const code = await Promise.race([
        worker.exited,
        new Promise((r) => setTimeout(() => r('still running'), 30_000)),
      ]);
      assert.equal(code, STUCK_WORKFLOW_EXIT_CODE, worker.output());
      const line = worker
        .output()
        .split('\n')
        .find((l) => l.includes('a workflow is stuck'));
      assert.ok(line, worker.output());
      const logged = JSON.parse(line) as Record<string, unknown>;
      assert.equal(logged.level, 'error');
      assert.equal(logged.workflowId, workflowId);
      assert.equal(logged.workflowType, 'setupWorkflow');
      const insideMs = Number(logged.insideMs);
      assert.ok(insideMs > 1000 && insideMs < 5000, `found after ${insideMs} ms`);
      const completed = (await historyOf(env, workflowId)).filter(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
      );
      assert.equal(completed.length, 0, 'the stuck workflow task must not have completed');
      await env.client.workflow.getHandle(workflowId).terminate('test done');
    } finally {
      worker.stop();
    }
  });

  it('lets an activation longer than the SDK’s 5 s timeout complete: the SDK’s per-call timeout is gone', async () => {
    const worker = await workerUnderWatchdog(env, 'watchdog-slow', 'slow', 20_000);
    try {
      const workflowId = await startSetup('watchdog-slow');
      const outcome = await waitForFirstWorkflowTaskOutcome(env, workflowId);
      assert.equal(outcome.eventType, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, worker.output());
      await env.client.workflow.getHandle(workflowId).terminate('test done');
    } finally {
      worker.stop();
    }
  });

  it('(control) the same activation fails under the SDK’s own timeout', async () => {
    const worker = await workerUnderWatchdog(env, 'sdk-slow', 'slow', 'sdk');
    try {
      const workflowId = await startSetup('sdk-slow');
      const outcome = await waitForFirstWorkflowTaskOutcome(env, workflowId);
      assert.equal(outcome.eventType, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
      // The SDK's deadlock detection: Node's vm timeout of 5 s.
      assert.match(
        outcome.workflowTaskFailedEventAttributes?.failure?.message ?? '',
        /timed out after 5000 ?ms/,
      );
      await env.client.workflow.getHandle(workflowId).terminate('test done');
    } finally {
      worker.stop();
    }
  });
});
