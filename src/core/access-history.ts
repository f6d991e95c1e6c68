// A person's access history: each change that reached SALTO KS (which group, on which site, added
// or removed, why, and what caused it), and each failure and recovery. Kept in the person
// workflow's state, bounded, and carried over continue-as-new, so "when did Ben lose the 24/7
// floor, and why?" has an answer without reading raw histories. Pure: the workflow records.
import type { AccessReason, IsoInstant } from './types';

/** What made the pass that wrote a change. */
export type PassCause =
  /** Events from Deskworks or the engine, folded into this pass (ids and types only). */
  | { kind: 'events'; events: { eventId: string; type: string }[] }
  /** The access changed by itself at this instant (a plan's midnight, a reservation window). */
  | { kind: 'time'; at: IsoInstant }
  /** A retry after a failure. */
  | { kind: 'retry'; attempt: number }
  /** A scheduled look (a claimed user's confirmation, the first pass of a new run). */
  | { kind: 'check'; at: IsoInstant };

export type HistoryEntry =
  | {
      kind: 'change';
      at: IsoInstant;
      siteId: string;
      groupId: string;
      action: 'added' | 'removed';
      /** Why the group is held (added), or held no more (removed: empty, no rule gives it). */
      reasons: AccessReason[];
      cause: PassCause;
      /** SALTO KS showed it otherwise (a hand edit found by a reconciliation or a resync). */
      repair: boolean;
    }
  | { kind: 'failure'; at: IsoInstant; message: string; cause: PassCause }
  | { kind: 'recovered'; at: IsoInstant; failedFor: string | null };

/** The entries kept: enough for months of an ordinary person's changes, bounded for the workflow state. */
export const HISTORY_ENTRIES_KEPT = 200;

/** The newest entries last; the oldest dropped beyond the bound. */
export function appendHistory(
  history: readonly HistoryEntry[],
  entries: readonly HistoryEntry[],
  kept = HISTORY_ENTRIES_KEPT,
): HistoryEntry[] {
  const all = [...history, ...entries];
  return all.length > kept ? all.slice(all.length - kept) : all;
}

/** Event types that carry what SALTO KS showed: a change they lead to is a repair. */
const OBSERVATIONS = new Set(['observed-groups', 'observed-missing', 'resync']);

/** Whether a pass with this cause repairs drift SALTO KS showed (rather than following a rule). */
export function isRepair(cause: PassCause): boolean {
  return cause.kind === 'events' && cause.events.some((e) => OBSERVATIONS.has(e.type));
}

/**
 * The cause of a pass: the events it folded (at most `maxEvents` named), else the access changing
 * by itself when `dueAt` has come, else a retry after a failure, else a scheduled look.
 */
export function passCause(
  events: readonly { eventId: string; type: string }[],
  dueAt: IsoInstant | null,
  nowMs: number,
  failedAttempts: number,
  maxEvents = 10,
): PassCause {
  if (events.length > 0)
    return {
      kind: 'events',
      events: events.slice(-maxEvents).map((e) => ({ eventId: e.eventId, type: e.type })),
    };
  if (dueAt !== null && Date.parse(dueAt) <= nowMs) return { kind: 'time', at: dueAt };
  if (failedAttempts > 0) return { kind: 'retry', attempt: failedAttempts + 1 };
  return { kind: 'check', at: new Date(nowMs).toISOString() };
}
