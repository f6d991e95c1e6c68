// The reservation workflow follows one reservation's facts: it tells the customer's person the
// window (start − lead to end + lag) of the unit, again whenever an update or the set-up moves it,
// and "cancelled" or "revoked" when it goes. The person holds the state (single writer) and opens
// and closes the door at the window's edges by its own timers (reservation-windows.ts); before
// that patch, this workflow also woke at both edges to tell the person "granted" and "revoked".
import {
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import { reservationDetails } from './current-details';
import { centerTimeZone } from '../core/mapping';
import { reservationDoneSummary, reservationWaitSummary } from './summaries';
import type { ReservationState, ReservationStatusEvent } from '../core/person-events';
import {
  reservationWindow,
  snapshotMayGrant,
  windowPhase,
  type ReservationWindow,
} from '../core/reservations';
import { reservationWorkflowId } from '../shared/ids';
import { personKeepsWindows } from './reservation-windows';
import { coordinationCalls } from './activity-proxies';
import { activityTasksOnly } from './activity-tasks-only';
import { mayHaveActed, movedSetupOf, personNewsCalls, type SetupCheck } from './setup-check';
import { isSameSetup, setupFingerprint } from '../core/setup-fingerprint';
import type { Setup } from '../core/types';
import {
  reservationEventSignal,
  reservationStateQuery,
  type ReservationEvent,
  type ReservationSnapshot,
  type ReservationView,
} from './messages';

export interface ReservationWorkflowInput {
  reservationId: string;
  /**
   * Sent by the webhook with a snapshot (src/api/person-start.ts): the set-up it read just before.
   * Used only by a run where RESERVATION_HOLDS_SETUP_PATCH holds, and checked by the first tell.
   */
  start?: ReservationStart;
}

export interface ReservationStart {
  setup: Setup;
}

/**
 * Since 0.8.0 a reservation's pass decides on the set-up it holds (the one the webhook sent with
 * its start, or its last pass's), as a person's does (src/workflows/setup-check.ts): its first
 * tell goes to `signalPersonChecked`, which refuses without signalling when the set-up moved and
 * hands the new one back; the pass then decides again on it. A pass that tells nothing reads the
 * set-up after it, before it waits. A `setup-changed` signal drops the held set-up, so the next pass
 * reads it. Before, every pass read the set-up first: an activity task and a workflow task more.
 * Asked once, first thing in the run: a run started before keeps reading to its end.
 */
export const RESERVATION_HOLDS_SETUP_PATCH = 'reservation-holds-setup';

/** A finished reservation lingers this long to absorb late duplicates before it completes. */
export const LINGER_AFTER_FINISH_MS = 24 * 60 * 60_000;
/**
 * Cancelled before its snapshot ever came: the window is unknown, so it waits longer for a
 * delayed reservation.created, which must then grant nothing.
 */
export const LINGER_WITHOUT_SNAPSHOT_MS = 14 * 24 * 60 * 60_000;

interface Told {
  personId: string;
  state: ReservationState;
  /** The customer as that person was told it: what a revocation after a change of customer carries. */
  customer: ReservationStatusEvent['customer'];
  /** Everything the person was told, as one key: any change (unit, center, times, customer) is told again. */
  content: string;
}

/**
 * "Ended before it arrived" is judged per snapshot on arrival. Before this patch it was judged only
 * for a run that had told the person nothing, so a move into the recent past re-opened the door
 * within a run, and not once the run had completed.
 */
export const ENDED_ON_ARRIVAL_PATCH = 'ended-on-arrival';

/**
 * A reservation tells a person with a local activity, which signals before its workflow task
 * completes. When that task is lost (its worker killed), the next attempt folds the events that
 * came meanwhile with it: a change of customer, a cancellation, a move. Before this patch that
 * attempt told only its current customer, only if a completed task had told someone already, and
 * not if the last completed tell said the same; what the lost task had told stood until the
 * window closed: a room for a customer since replaced, another room, or a room taken away from
 * a customer who had it back. Now, when the facts taken since the last tell are more than one (the
 * lost task may have seen only the first), every customer of a confirmed snapshot among them whose
 * window is open or ahead is told "revoked", and the current customer is told even what it was
 * told last. When no completed task told anyone, such a customer is told the outcome.
 */
export const TELL_FOLDED_CUSTOMERS_PATCH = 'tell-folded-customers';

const MINUTE_MS = 60_000;

/** What a lost workflow task may have told, for TELL_FOLDED_CUSTOMERS_PATCH. */
interface Folded {
  /** Confirmed snapshots whose customer it may have let in. */
  snapshots: ReservationSnapshot[];
  /** It may have told the current customer something else than the last completed tell. */
  retell: boolean;
}

const NOTHING_FOLDED: Folded = { snapshots: [], retell: false };

/** How a reservation's pass ended: the run is over, it passes again, or it passes again on a set-up that moved. */
type PassOutcome = 'over' | 'again' | 'set-up moved';

/** How far along a reservation is, for ordering what its workflow says (ReservationStatusKey.step). */
const STEP: Record<ReservationState, number> = { scheduled: 0, granted: 1, revoked: 2, cancelled: 3 };

/** The customer as a snapshot names it, for the person it concerns. */
function customerOf(r: ReservationSnapshot): ReservationStatusEvent['customer'] {
  return {
    type: r.customer.type,
    profile: { firstName: r.customer.firstName, lastName: r.customer.lastName, email: r.customer.email },
    updatedAt: r.updatedAt,
  };
}

export async function reservationWorkflow(input: ReservationWorkflowInput): Promise<void> {
  // Asked first, before any activity: whether this run uses local activities (activity-tasks-only.ts).
  const tasksOnly = activityTasksOnly();
  // Then whether it may decide on a set-up it holds (only by activity task: the checked variants are).
  const holdsSetup = tasksOnly && patched(RESERVATION_HOLDS_SETUP_PATCH);
  /** The set-up this run holds (holdsSetup), and whether it was read for the coming pass. */
  let held: Setup | null = holdsSetup ? (input.start?.setup ?? null) : null;
  let heldJustRead = false;
  /** The check the current pass's tells carry (a held set-up not read for it); undefined: none. */
  let passCheck: SetupCheck | undefined;
  /**
   * A refused tell followed an attempt that may have signalled and lost its answer: the customer
   * may have heard the window of the set-up that moved, so it is told again whatever it was told.
   */
  let mayHaveTold = false;
  const pending: ReservationEvent[] = [];
  const seenEventIds = new Set<string>();
  let snapshot: ReservationSnapshot | null = null;
  let cancelledAt: string | null = null;
  let state: ReservationState = 'scheduled';
  let window: { windowStart: string; windowEnd: string } | null = null;
  let told: Told | null = null;
  let setupVersion = 0;
  /** Whether the current snapshot may grant (rule 3): judged when it arrived. */
  let mayGrant = true;
  /** The set-up's lag, as last read: how long a folded snapshot's window stays open. */
  let lagMinutes = 0;
  /** Confirmed snapshots taken since the last tell, oldest first: a lost task may have told any. */
  const foldedSinceTell: ReservationSnapshot[] = [];
  /** Snapshots and cancellations taken since the last tell (TELL_FOLDED_CUSTOMERS_PATCH). */
  let factsSinceTell = 0;
  /** Whether this run leaves the window's edges to the person (PERSON_KEEPS_RESERVATION_WINDOWS_PATCH). */
  let personKeepsWindow: boolean | null = null;

  setHandler(reservationEventSignal, (event) => {
    pending.push(event);
  });
  setHandler(reservationStateQuery, (): ReservationView => ({
    id: input.reservationId,
    personId: snapshot?.customer.id ?? null,
    windowStart: window?.windowStart ?? null,
    windowEnd: window?.windowEnd ?? null,
    state,
  }));

  /**
   * Folds events: a newer snapshot replaces the older one; a cancellation newer than the snapshot
   * wins. True when a set-up change was among them (the loop re-reads the policy: the lead and lag).
   */
  const takeEvents = (): boolean => {
    let setupChanged = false;
    while (pending.length > 0) {
      const event = pending.shift()!;
      if (seenEventIds.has(event.eventId)) continue;
      seenEventIds.add(event.eventId);
      if (event.type === 'setup-changed') {
        setupChanged = true;
        held = null; // the next pass reads it
        continue;
      }
      if (event.type === 'snapshot') {
        const r = event.reservation;
        if (snapshot && Date.parse(r.updatedAt) <= Date.parse(snapshot.updatedAt)) continue;
        if (cancelledAt && Date.parse(r.updatedAt) <= Date.parse(cancelledAt)) continue;
        mayGrant = snapshotMayGrant(r.end, Date.now(), isOpenNow());
        snapshot = r;
        factsSinceTell += 1;
        if (r.status === 'confirmed') foldedSinceTell.push(r);
        if (r.status === 'confirmed') cancelledAt = null;
      } else if (!cancelledAt || Date.parse(event.updatedAt) > Date.parse(cancelledAt)) {
        if (!snapshot || Date.parse(event.updatedAt) > Date.parse(snapshot.updatedAt)) {
          cancelledAt = event.updatedAt;
          factsSinceTell += 1;
        }
      }
    }
    return setupChanged;
  };

  /** The current snapshot grants at this instant (its window as last computed). */
  const isOpenNow = (): boolean =>
    snapshot !== null &&
    mayGrant &&
    !cancelledAt &&
    snapshot.status === 'confirmed' &&
    window !== null &&
    windowPhase(window, Date.now()) === 'open';

  /** The state, and what the Temporal Web UI shows of it (ids and instants only). */
  const become = (next: ReservationState): void => {
    state = next;
    setCurrentDetails(
      reservationDetails({
        state,
        personId: snapshot?.customer.id ?? null,
        windowStart: window?.windowStart ?? null,
        windowEnd: window?.windowEnd ?? null,
      }),
    );
  };

  /**
   * What a lost task may have told since the last tell (TELL_FOLDED_CUSTOMERS_PATCH): the
   * snapshots whose customer may hold access from it, except `toldAnyway`, which the caller tells
   * anyway (windows already closed are left out: the person lets those go by itself). Most tells
   * follow one fact: no marker.
   */
  const takeFolded = (toldAnyway: ReservationSnapshot | null): Folded => {
    const now = Date.now();
    const snapshots = foldedSinceTell.filter(
      (s) => s !== toldAnyway && Date.parse(s.end) + lagMinutes * MINUTE_MS > now,
    );
    const retell = factsSinceTell > 1;
    foldedSinceTell.length = 0;
    factsSinceTell = 0;
    if (snapshots.length === 0 && !retell) return NOTHING_FOLDED;
    return patched(TELL_FOLDED_CUSTOMERS_PATCH) ? { snapshots, retell } : NOTHING_FOLDED;
  };

  /** Tells the person the reservation's state; skipped when the person already knows it. */
  const tell = async (next: ReservationState, folded = takeFolded(snapshot)): Promise<void> => {
    become(next);
    const r = snapshot!;
    const w = window!;
    const previous =
      told && told.personId !== r.customer.id && (told.state === 'granted' || told.state === 'scheduled')
        ? told
        : null;
    if (previous) {
      // The customer changed: the previous person loses the reservation first. With its own
      // profile: a non-member takes its profile from its reservations, and the new customer's
      // would move its SALTO KS user to another person's e-mail.
      await sendStatus(previous.personId, 'revoked', previous.customer);
    }
    const handled = new Set([r.customer.id, previous?.personId]);
    for (const s of folded.snapshots) {
      if (handled.has(s.customer.id)) continue;
      handled.add(s.customer.id);
      await signalStatus(s.customer.id, 'revoked', customerOf(s));
    }
    // A lost task may have told this customer something newer than the last completed tell (another
    // room, or "revoked" for a customer since folded over): what that tell said is news again.
    if (
      !folded.retell &&
      !mayHaveTold &&
      told &&
      told.personId === r.customer.id &&
      told.content === contentKey(next, r, w)
    )
      return;
    await sendStatus(r.customer.id, next);
    mayHaveTold = false;
  };

  const contentKey = (next: ReservationState, r: ReservationSnapshot, w: ReservationWindow): string =>
    JSON.stringify([next, r.reservationUnitId, r.centerId, r.start, r.end, w, r.customer]);

  /** Tells a person, and remembers it as what this reservation last told. */
  const sendStatus = async (
    personId: string,
    next: ReservationState,
    customer: ReservationStatusEvent['customer'] = customerOf(snapshot!),
  ): Promise<void> => {
    await signalStatus(personId, next, customer);
    told = { personId, state: next, content: contentKey(next, snapshot!, window!), customer };
  };

  const signalStatus = async (
    personId: string,
    next: ReservationState,
    customer: ReservationStatusEvent['customer'],
  ): Promise<void> => {
    const r = snapshot!;
    const w = window!;
    // Keyed by the Deskworks fact acted on, not by a counter of this run: a later run of this
    // workflow (a late event after it finished) says the same things under the same keys.
    const factAt =
      cancelledAt !== null && Date.parse(cancelledAt) > Date.parse(r.updatedAt) ? cancelledAt : r.updatedAt;
    const key = { updatedAt: factAt, setupVersion, step: STEP[next] };
    const calls = passCheck ? personNewsCalls(passCheck) : coordinationCalls(tasksOnly);
    await calls.signalPerson({
      personId,
      event: {
        type: 'reservation-status',
        eventId: `${reservationWorkflowId(input.reservationId)}:${factAt}:${setupVersion}:${next}:${personId}`,
        reservationId: input.reservationId,
        key,
        unitId: r.reservationUnitId,
        centerId: r.centerId,
        start: r.start,
        end: r.end,
        windowStart: w.windowStart,
        windowEnd: w.windowEnd,
        state: next,
        customer,
      },
    });
  };

  try {
    await condition(() => pending.length > 0);
    await runUntilFinished();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled from outside: access must still go away, so the revoke cannot be cancelled (nor refused).
    passCheck = undefined;
    if (wasGranted() || mayHaveTold) await CancellationScope.nonCancellable(() => tell('cancelled'));
    throw err;
  }

  /** Whether the person may hold the room from this reservation: told "granted", or "scheduled" once it opens the window itself. */
  function wasGranted(): boolean {
    const last = told;
    if (last?.state === 'scheduled') return personKeepsWindows();
    return last?.state === 'granted';
  }

  /**
   * The set-up a pass decides on: read for it, or (holdsSetup) the one held, which the pass's
   * first tell then checks (passCheck).
   */
  async function setupForPass(): Promise<Setup> {
    passCheck = undefined;
    if (held !== null && !heldJustRead) {
      passCheck = { version: held.version, fingerprint: setupFingerprint(held), answered: false };
      return held;
    }
    heldJustRead = false;
    const policy = held ?? (await coordinationCalls(tasksOnly).loadSetup());
    if (holdsSetup) held = policy;
    return policy;
  }

  /**
   * After a pass decided on a held set-up and told nothing: whether the set-up moved meanwhile
   * (then it is held, read, and the pass decides again). The first tell's answer settles it otherwise.
   */
  async function movedUntold(): Promise<boolean> {
    const check = passCheck;
    passCheck = undefined;
    if (!check || check.answered) return false;
    const now = await coordinationCalls(tasksOnly).loadSetup();
    held = now;
    if (isSameSetup(now, check)) return false;
    heldJustRead = true;
    return true;
  }

  async function runUntilFinished(): Promise<void> {
    for (;;) {
      takeEvents();
      if (snapshot) {
        // What a pass on a set-up that moved leaves to tell again: a refused tell signalled no one.
        const foldedBefore = [...foldedSinceTell];
        const factsBefore = factsSinceTell;
        let outcome: PassOutcome;
        try {
          outcome = await decideAndTell();
        } catch (err) {
          const moved = movedSetupOf(err);
          if (moved === undefined) throw err;
          held = moved;
          heldJustRead = true;
          // An attempt before the refusing one may have told the customer and lost its answer.
          if (mayHaveActed(err)) mayHaveTold = true;
          outcome = 'set-up moved';
        }
        if (outcome === 'over') return;
        if (outcome === 'set-up moved') {
          foldedSinceTell.splice(0, foldedSinceTell.length, ...foldedBefore);
          factsSinceTell = factsBefore;
        }
        continue;
      }
      // Only a cancellation arrived; the reservation was never seen: nothing to give.
      become('cancelled');
      if (!(await lingerUntilChanged())) return;
    }
  }

  /**
   * One pass on the current snapshot: decides the window on the set-up, tells the person, and waits
   * for what comes next. A refused tell throws.
   */
  async function decideAndTell(): Promise<PassOutcome> {
    const policy = await setupForPass();
    setupVersion = policy.version;
    lagMinutes = policy.reservationLagMinutes;
    const r: ReservationSnapshot = snapshot!;
    const w = reservationWindow(r.start, r.end, policy.reservationLeadMinutes, policy.reservationLagMinutes);
    window = w;
    const now = Date.now();
    const opens = Date.parse(w.windowStart);
    const closes = Date.parse(w.windowEnd);
    /** Until the window opens or closes, or an event comes; the Web UI says which. */
    const untilEdge = (edge: 'opens' | 'closes', atMs: number): Promise<boolean> =>
      condition(() => pending.length > 0, atMs - now, {
        summary: reservationWaitSummary(input.reservationId, edge, atMs, centerTimeZone(policy, r.centerId)),
      });
    // Rule 3: a reservation that had ended before it reached us grants nothing, even inside the lag.
    const endedBeforeArrival = patched(ENDED_ON_ARRIVAL_PATCH)
      ? !mayGrant
      : !told && now >= Date.parse(r.end);
    const grants = !cancelledAt && r.status === 'confirmed' && !endedBeforeArrival;
    // Decided once per run: a run that told its person on the code before the patch keeps that
    // code's path. Its person counted only "granted" reservations then and set no timer for
    // this window; told "scheduled" again, it would take that as a duplicate and never open.
    if (grants && now < closes && (personKeepsWindow ??= personKeepsWindows())) {
      // The person opens and closes the door at the window's edges: nothing to wake for here
      // but a change, until the window has closed and the lingering is over.
      await tell('scheduled');
      if (await movedUntold()) return 'set-up moved';
      const timeZone = centerTimeZone(policy, r.centerId);
      return (await lingerUntilChanged({ timeZone })) ? 'again' : 'over';
    }
    if (grants && now < opens) {
      await tell('scheduled');
      if (await movedUntold()) return 'set-up moved';
      await untilEdge('opens', opens);
      return 'again';
    }
    if (grants && now < closes) {
      await tell('granted');
      if (await movedUntold()) return 'set-up moved';
      await untilEdge('closes', closes);
      return 'again';
    }
    // Finished: cancelled (access goes at once) or its window closed. A reservation whose
    // window closed before it reached us was never granted, and grants nothing now.
    const outcome: ReservationState = cancelledAt || r.status === 'cancelled' ? 'cancelled' : 'revoked';
    // Never told by a completed task: a lost one may still have let this customer in.
    const folded = takeFolded(told ? snapshot : null);
    if (told || folded.snapshots.length > 0 || mayHaveTold) await tell(outcome, folded);
    else become(outcome);
    if (await movedUntold()) return 'set-up moved';
    return (await lingerUntilChanged()) ? 'again' : 'over';
  }

  /**
   * Absorbs late duplicates for a while; true when a newer event changed the reservation. With
   * `scheduled` (the person keeps the window), also when a set-up change came before the window
   * closed (its lead or lag may move it), and the Web UI says until when it waits.
   */
  async function lingerUntilChanged(scheduled?: { timeZone: string }): Promise<boolean> {
    const windowEnd = window ? Date.parse(window.windowEnd) : 0;
    const until =
      Math.max(Date.now(), windowEnd) + (snapshot ? LINGER_AFTER_FINISH_MS : LINGER_WITHOUT_SNAPSHOT_MS);
    for (;;) {
      const remaining = until - Date.now();
      if (remaining <= 0) return false;
      const changed = (): boolean => pending.length > 0;
      const summary = scheduled && reservationDoneSummary(input.reservationId, until, scheduled.timeZone);
      if (!(await (summary ? condition(changed, remaining, { summary }) : condition(changed, remaining))))
        return false;
      const before = { snapshot, cancelledAt };
      const setupChanged = takeEvents();
      if (snapshot !== before.snapshot || cancelledAt !== before.cancelledAt) return true;
      if (scheduled && setupChanged && Date.now() < windowEnd) return true;
    }
  }
}
