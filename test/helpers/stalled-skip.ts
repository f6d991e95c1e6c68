// A skip of server time on the time-skipping test server ends in seconds, unless something holds
// its clock: then server time only passes as fast as real time, and a skipped day never ends.
// sdk-java's test server leaks such a hold in known cases (sdk-java issues 3088, 2606, 1138); the
// time-skipping interceptor avoids the ones our workflows met, yet a skipped day once did not end
// on a loaded CI machine. When a skip runs long, this says what was in flight, so that a stalled
// run leaves evidence instead of only a test timeout.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowTaskOpen } from './history-events';

/** Real time after which a skip that has not ended is reported, and again at each such interval. */
export const STALLED_SKIP_REPORT_MS = 60_000;

/** Awaits `skipping`; while it runs longer than STALLED_SKIP_REPORT_MS, reports what is in flight. */
export async function reportWhileStalled(
  skipping: Promise<void>,
  what: string,
  client: Client,
  workflowIds: () => string[],
): Promise<void> {
  const startedAt = Date.now();
  const timer = setInterval(() => {
    inFlight(client, workflowIds())
      .then((lines) =>
        process.stderr.write(
          `[engine] ${what} has taken ${Math.round((Date.now() - startedAt) / 1000)} s of real time; ` +
            `in flight: ${lines.length > 0 ? lines.join('; ') : 'nothing the test started'}\n`,
        ),
      )
      .catch((err: unknown) =>
        process.stderr.write(`[engine] ${what}: could not describe: ${String(err)}\n`),
      );
  }, STALLED_SKIP_REPORT_MS);
  try {
    await skipping;
  } finally {
    clearInterval(timer);
  }
}

/** Each workflow with an activity or a workflow task open: its id and what is open. */
async function inFlight(client: Client, workflowIds: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const workflowId of workflowIds) {
    const handle = client.workflow.getHandle(workflowId);
    // A customer the harness knows of may have no workflow (yet).
    const described = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
    if (!described) continue;
    const activities = (described.raw.pendingActivities ?? []).map(
      (a) => `${a.activityType?.name ?? 'activity'} (attempt ${a.attempt ?? 1})`,
    );
    const taskOpen = workflowTaskOpen((await handle.fetchHistory()).events ?? []);
    if (activities.length === 0 && !taskOpen) continue;
    lines.push(`${workflowId}: ${[...activities, ...(taskOpen ? ['a workflow task'] : [])].join(', ')}`);
  }
  return lines;
}

/** A skip of server time that probes the clock: it ends at once unless something holds the clock. */
const PROBE_SKIP_MS = 1_000;
/** Real time past which the probe counts as held (a loaded machine answers a free skip in far less). */
const HELD_AFTER_MS = 2_000;

/**
 * Skips 1 s of server time and says on stderr, naming `after`, when that took over 2 s of real
 * time: the clock was held then. A hold the server leaked stays; one an activity still running
 * holds goes with it. Either way the line says which case left the clock held.
 */
export async function reportHeldClock(
  env: { sleep(ms: number): Promise<void> },
  after: string,
): Promise<void> {
  const startedAt = Date.now();
  await env.sleep(PROBE_SKIP_MS);
  const tookMs = Date.now() - startedAt;
  if (tookMs > HELD_AFTER_MS)
    process.stderr.write(
      `[engine] after "${after}": the server's clock is held (a skip of ${PROBE_SKIP_MS / 1000} s took ${tookMs} ms of real time)\n`,
    );
}
