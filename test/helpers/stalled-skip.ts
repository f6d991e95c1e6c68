// A skip of server time on the time-skipping test server ends in seconds, unless something holds
// its clock: then server time only passes as fast as real time, and a skipped day never ends.
// sdk-java's test server leaks such a hold in known cases (sdk-java issues 3088, 2606, 1138); the
// time-skipping interceptor avoids the ones our workflows met, yet a skipped day once did not end
// on a loaded CI machine. When a skip runs long, this says what was in flight, so that a stalled
// run leaves evidence instead of only a test timeout; and when nothing on the server is open, it
// gives back the hold the server leaked, so that a 3-minute skip no longer costs 3 real minutes.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowTaskOpen } from './history-events';

/** Real time after which a skip that has not ended is reported, and again at each such interval. */
export const STALLED_SKIP_REPORT_MS = 10_000;
/** Releases of a leaked hold one skip may make: more means something else is wrong, said as is. */
const MAX_RELEASES = 3;
/** Server time that may pass beyond real time between two looks at a clock held all along. */
const HELD_SLACK_MS = 1_000;

/**
 * What a stalled skip may look at on the time-skipping server: every open workflow (that server
 * lists them without visibility), and a way to give back one hold of its clock.
 */
export interface ClockHolds {
  openWorkflowIds(): Promise<string[]>;
  /** The server's time: while its clock is held, it passes as fast as real time, and no faster. */
  serverTimeMs(): Promise<number>;
  release(): Promise<void>;
}

export interface StalledSkipOptions {
  /** The workflows to describe when no ClockHolds lists them all. */
  workflowIds?: () => string[];
  /** Given: a hold that nothing open explains is released (at most MAX_RELEASES times). */
  holds?: ClockHolds;
  /** Real time between looks (default STALLED_SKIP_REPORT_MS). */
  checkEveryMs?: number;
  /** Where the lines go (default stderr). */
  say?: (line: string) => void;
}

/**
 * Awaits `skipping`; while it runs long, says what is in flight at each look. With `holds`, two
 * looks in a row that find nothing open anywhere on the server, between which server time passed
 * no faster than real time (the clock held all along), mean a hold the test server leaked (a
 * running activity or a workflow task shows as open): one hold is then released, and the skip
 * goes on. Answers how many holds it released.
 */
export async function reportWhileStalled(
  skipping: Promise<void>,
  what: string,
  client: Client,
  options: StalledSkipOptions = {},
): Promise<{ released: number }> {
  const { holds, checkEveryMs = STALLED_SKIP_REPORT_MS } = options;
  const say = options.say ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const startedAt = Date.now();
  let done = false;
  let released = 0;
  // The wait between looks ends at once when the skip does.
  let stopWaiting = (): void => {};
  const pause = () =>
    new Promise<void>((resolve) => {
      // Unref'd: a watcher never keeps a test process alive on its own.
      const timer = setTimeout(resolve, checkEveryMs).unref();
      stopWaiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const watching = (async () => {
    /** When the last look found nothing open, in real and in server time (none: it found some). */
    let lastQuiet: { real: number; server: number } | null = null;
    for (;;) {
      await pause();
      if (done) return;
      try {
        const mark = holds ? { real: Date.now(), server: await holds.serverTimeMs() } : null;
        const ids = holds ? await holds.openWorkflowIds() : (options.workflowIds?.() ?? []);
        const lines = await inFlight(client, ids);
        if (done) return;
        const took = `${what} has taken ${Math.round((Date.now() - startedAt) / 1000)} s of real time`;
        say(`[engine] ${took}; in flight: ${lines.length > 0 ? lines.join('; ') : 'nothing'}`);
        const before = lastQuiet;
        lastQuiet = lines.length > 0 ? null : mark;
        const heldAllAlong =
          before !== null &&
          mark !== null &&
          mark.server - before.server <= mark.real - before.real + HELD_SLACK_MS;
        if (holds && heldAllAlong && released < MAX_RELEASES) {
          await holds.release();
          released++;
          lastQuiet = null;
          say(
            `[engine] ${what}: nothing open on the server for ${Math.round(checkEveryMs / 1000)} s while ` +
              'its clock stays held, a hold the test server leaked (stalled-skip.ts); released one',
          );
        }
      } catch (err: unknown) {
        lastQuiet = null;
        say(`[engine] ${what}: could not look: ${String(err)}`);
      }
    }
  })();
  try {
    await skipping;
  } finally {
    done = true;
    stopWaiting();
  }
  await watching;
  return { released };
}

/** The time-skipping test server's open workflows and its clock's holds. */
export function testServerClockHolds(env: TestWorkflowEnvironment): ClockHolds {
  const { testService } = env.connection;
  if (!testService) throw new Error('clock holds exist only on the time-skipping test server');
  return {
    async openWorkflowIds() {
      const { executions } = await env.client.workflowService.listOpenWorkflowExecutions({
        namespace: env.namespace ?? 'default',
        maximumPageSize: 10_000,
      });
      return executions.flatMap((x) => (x.execution?.workflowId ? [x.execution.workflowId] : []));
    },
    serverTimeMs: () => env.currentTimeMs(),
    async release() {
      await testService.unlockTimeSkipping({});
    },
  };
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
