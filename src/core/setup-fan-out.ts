// Rule 7's fan-out as the set-up workflow plans it. Changes committed close together are told in
// one fan-out. Each fan-out is followed by a catch-up fan-out, because visibility lags: a person
// started just before a change may not be listed yet when the first fan-out lists people by
// center. So, a little later, every person started shortly before the change is told again.
import type { IsoInstant } from './types';

/** Who a fan-out tells (the activity's input). */
export interface FanOutPlan {
  version: number;
  everyone: boolean;
  centerIds: string[];
  /** A catch-up: every running person started at or after this instant, whatever its centers. */
  startedSince?: IsoInstant;
}

/** A fan-out waiting its turn, with the workflow time (ms) its change was committed. */
export interface QueuedFanOut extends FanOutPlan {
  /** Absent in fan-outs carried over from runs that did not record it. */
  committedAt?: number;
}

/** A catch-up fan-out waiting on its timer. */
export interface PendingCatchUp {
  /** Workflow time (ms) it is due. */
  dueAt: number;
  fanOut: FanOutPlan;
}

/** Long enough for visibility to list a person started just before the change. */
export const CATCH_UP_DELAY_MS = 30_000;
/** How long before a commit a person may have started and still be missing from the first list. */
export const CATCH_UP_LOOKBACK_MS = 2 * 60_000;

/**
 * One fan-out for a batch. People re-read the newest set-up, so telling them the highest version
 * once is enough. `committedAt` is the earliest commit in the batch (`now` for a fan-out carried
 * over without one), so the catch-up looks back far enough for all of them.
 */
export function mergeFanOuts(
  batch: readonly QueuedFanOut[],
  now: number,
): { fanOut: FanOutPlan; committedAt: number } {
  return {
    fanOut: {
      version: Math.max(...batch.map((f) => f.version)),
      everyone: batch.some((f) => f.everyone),
      centerIds: [...new Set(batch.flatMap((f) => f.centerIds))].sort(),
    },
    committedAt: Math.min(...batch.map((f) => f.committedAt ?? now)),
  };
}

/** The catch-up that follows a fan-out whose earliest change was committed at `committedAt`. */
export function catchUpAfter(fanOut: FanOutPlan, committedAt: number, now: number): PendingCatchUp {
  return {
    dueAt: now + CATCH_UP_DELAY_MS,
    fanOut: {
      version: fanOut.version,
      everyone: fanOut.everyone,
      centerIds: [],
      startedSince: new Date(committedAt - CATCH_UP_LOOKBACK_MS).toISOString(),
    },
  };
}

/**
 * The catch-ups due at `now`, merged into one (the highest version, the earliest instant), and
 * those still waiting. null when none is due.
 */
export function takeDueCatchUps(
  pending: readonly PendingCatchUp[],
  now: number,
): { due: FanOutPlan | null; waiting: PendingCatchUp[] } {
  const due = pending.filter((c) => c.dueAt <= now).map((c) => c.fanOut);
  const waiting = pending.filter((c) => c.dueAt > now);
  if (due.length === 0) return { due: null, waiting };
  const since = due.map((f) => f.startedSince ?? new Date(now).toISOString()).sort()[0]!;
  return {
    due: {
      version: Math.max(...due.map((f) => f.version)),
      everyone: due.some((f) => f.everyone),
      centerIds: [],
      startedSince: since,
    },
    waiting,
  };
}

/** When the next catch-up is due; null when none waits. */
export function nextCatchUpAt(pending: readonly PendingCatchUp[]): number | null {
  return pending.length === 0 ? null : Math.min(...pending.map((c) => c.dueAt));
}
