// A worker that dies (kill -9, a lost machine) says nothing to Temporal: its activities in flight
// are retried elsewhere only once Temporal gives up on them. With the start-to-close timeout alone
// that is 45 s; with a heartbeat timeout of a few seconds it is that. So every short activity
// heartbeats while it runs: nothing for the first second (most finish sooner, and a heartbeat is a
// call to the server), then every second, which the SDK thins out to what the timeout needs.
import { Context } from '@temporalio/activity';

/** How often a running activity heartbeats; its heartbeat timeout (5 s) is in src/workflows/activity-proxies.ts. */
export const LIVENESS_INTERVAL_MS = 1000;

function currentContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null; // called outside an activity (the API, a test): nothing to keep alive
  }
}

/** The same function, heartbeating while it runs inside an activity. */
export function withLiveness<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const context = currentContext();
    // A local activity has no heartbeat (the SDK warns "UnknownActivity" for each): it lives and
    // dies with its workflow task, whose own timeout covers a dead worker.
    if (context === null || context.info.isLocal) return fn(...args);
    const timer = setInterval(() => context.heartbeat(), LIVENESS_INTERVAL_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}

/** Every function of `activities` wrapped with withLiveness. */
export function allWithLiveness<T extends object>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities))
    wrapped[name] = withLiveness(fn as (...args: unknown[]) => Promise<unknown>);
  return wrapped as T;
}
