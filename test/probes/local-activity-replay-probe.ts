// Probe: does a workflow that runs an activity per batch of signals replay its own history, when
// the signals come faster than it takes them? Runs the same loop with a local activity and with an
// activity task on a fresh dev server, replays each history, and prints how many replayed clean.
// Why the person and reservation workflows run no local activity (ACTIVITY_TASKS_ONLY_PATCH,
// docs/reliability.md); run it again on a new SDK before bringing local activities back.
//
//   npm run probe:local-activities [-- --runs 4 --signals 300 --in-flight 4]
import { parseArgs } from 'node:util';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createDevServerEnv } from '../helpers/temporal-env';
import { testDataConverter } from '../helpers/test-data-converter';
import { probeSignal } from './signal-loop-workflow';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '4' },
    signals: { type: 'string', default: '300' },
    'in-flight': { type: 'string', default: '4' },
  },
});
const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return n;
};
const runs = positive('runs', values.runs);
const signals = positive('signals', values.signals);
const inFlight = positive('in-flight', values['in-flight']);

const TASK_FAILED = temporal.api.enums.v1.WorkflowTaskFailedCause;

async function main(): Promise<void> {
  const env = await createDevServerEnv();
  const workflowsPath = require.resolve('./signal-loop-workflow');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'probe',
    workflowsPath,
    dataConverter: testDataConverter,
    activities: {
      // A read that takes a little while, as the set-up read does on a loaded server.
      read: async (count: number) => {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
        return count;
      },
    },
  });
  const rows: string[] = [];
  let taskVariantFailed = false;
  try {
    await worker.runUntil(async () => {
      for (const kind of ['local', 'task'] as const) {
        let clean = 0;
        const problems: string[] = [];
        for (let r = 0; r < runs; r++) {
          const handle = await env.client.workflow.start('signalLoop', {
            taskQueue: 'probe',
            workflowId: `probe-${kind}-${r}`,
            args: [kind, signals],
          });
          for (let i = 0; i < signals; i += inFlight)
            await Promise.all(
              Array.from({ length: Math.min(inFlight, signals - i) }, (_, k) =>
                handle.signal(probeSignal, i + k),
              ),
            );
          await handle.result();
          const history = await handle.fetchHistory();
          const failedTasks = (history.events ?? [])
            .map((ev) => ev.workflowTaskFailedEventAttributes?.cause)
            .filter((cause): cause is number => typeof cause === 'number')
            .map((cause) => (TASK_FAILED[cause] ?? String(cause)).replace('WORKFLOW_TASK_FAILED_CAUSE_', ''));
          try {
            await Worker.runReplayHistory(
              { workflowsPath, dataConverter: testDataConverter },
              history,
              `probe-${kind}-${r}`,
            );
            clean++;
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            problems.push(/\[TMPRL1100\][^"]*/.exec(message)?.[0] ?? message.slice(0, 160));
          }
          process.stdout.write(
            `${kind} run ${r + 1}/${runs}: ${history.events?.length ?? 0} events, failed tasks [${failedTasks.join(', ')}]\n`,
          );
        }
        if (kind === 'task' && clean < runs) taskVariantFailed = true;
        rows.push(
          `${kind.padEnd(6)} ${String(clean).padStart(3)} of ${runs} replayed clean` +
            (problems.length ? `; ${problems.length} failed: ${[...new Set(problems)].join(' | ')}` : ''),
        );
      }
    });
  } finally {
    await env.teardown();
  }
  process.stdout.write(`\n${signals} signals, ${inFlight} in flight, a 100–200 ms activity per batch:\n`);
  for (const row of rows) process.stdout.write(`${row}\n`);
  // The activity-task loop is the product's way: if its histories do not replay, the probe fails.
  if (taskVariantFailed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
