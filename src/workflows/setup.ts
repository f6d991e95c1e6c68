// The set-up workflow holds the mapping (center → site, product/unit → groups per center) and
// the policy. Changes arrive as updates (validated, answered with the new set-up) and catalog
// signals; every change that alters someone's access makes the affected people reconcile.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import {
  catchUpAfter,
  mergeFanOuts,
  nextCatchUpAt,
  takeDueCatchUps,
  type PendingCatchUp,
  type QueuedFanOut,
} from '../core/setup-fan-out';
import {
  emptySetup,
  setCenterSite,
  setPolicy,
  setProductGroups,
  setUnitGroups,
  setupChangeScope,
  upsertCatalogCenter,
  upsertCatalogProduct,
  upsertCatalogUnit,
  removeCatalogProduct,
  removeCatalogUnit,
  type SetupEditResult,
} from '../core/setup-rules';
import type { Setup } from '../core/types';
import { salto, coordinationLong } from './activity-proxies';
import {
  catalogEventSignal,
  getSetupQuery,
  setCenterSiteUpdate,
  setPolicyUpdate,
  setProductGroupsUpdate,
  setUnitGroupsUpdate,
  SETUP_MEMO_KEY,
  SETUP_REJECTED,
  type CatalogEvent,
} from './messages';

/** Runs recorded before 0.3.0 replay without the set-up in the memo. */
const SETUP_MEMO_PATCH = 'setup-in-memo';

/** Runs recorded before the catch-up fan-out existed replay without its timer. */
const CATCH_UP_PATCH = 'setup-catch-up-fan-out';

export interface SetupWorkflowInput {
  reservationLeadMinutes: number;
  reservationLagMinutes: number;
  carried?: {
    setup: Setup;
    fanOuts: QueuedFanOut[];
    recentEventIds: string[];
    /** Absent when carried over by a run from before catch-ups. */
    catchUps?: PendingCatchUp[];
  };
}

export async function setupWorkflow(input: SetupWorkflowInput): Promise<void> {
  let setup = input.carried?.setup ?? emptySetup(input.reservationLeadMinutes, input.reservationLagMinutes);
  const fanOuts: QueuedFanOut[] = [...(input.carried?.fanOuts ?? [])];
  let catchUps: PendingCatchUp[] = [...(input.carried?.catchUps ?? [])];
  let recentEventIds = input.carried?.recentEventIds ?? [];

  // A FIFO lock: every update and catalog signal runs alone, in arrival order, and an update
  // that awaits SALTO KS holds it throughout, so nothing commits between its read and its write.
  let lockTail: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const run = lockTail.then(fn);
    lockTail = run.catch(() => undefined); // a rejected change must not block the ones behind it
    return run;
  };

  /**
   * Applies an edit to the set-up as it is now (call it inside the lock, after any await): the
   * edit's commit numbers the result current version + 1, so versions strictly increase.
   */
  const apply = (result: SetupEditResult): Setup => {
    if (!result.ok) {
      throw ApplicationFailure.create({
        type: SETUP_REJECTED,
        message: result.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        details: [result.problems],
        nonRetryable: true,
      });
    }
    if (!result.changed) return setup;
    const scope = setupChangeScope(setup, result.setup);
    setup = result.setup;
    publish();
    if (scope.everyone || scope.centerIds.length > 0) {
      fanOuts.push({ version: setup.version, ...scope, committedAt: Date.now() });
    }
    return setup;
  };

  /** The memo follows the set-up in the same workflow task: a describe reads what a query would. */
  const publish = (): void => {
    if (patched(SETUP_MEMO_PATCH)) upsertMemo({ [SETUP_MEMO_KEY]: setup });
  };
  publish();

  setHandler(getSetupQuery, () => setup);
  setHandler(setCenterSiteUpdate, (change) =>
    serialised(async () => {
      const siteIds = (await salto.listSaltoSites()).map((s) => s.id);
      return apply(setCenterSite(setup, change.centerId, change, siteIds));
    }),
  );
  setHandler(setProductGroupsUpdate, (change) =>
    serialised(async () => {
      const groups = await groupsOfCenterSite(change.centerId);
      return apply(setProductGroups(setup, change.centerId, change.itemId, change, groups));
    }),
  );
  setHandler(setUnitGroupsUpdate, (change) =>
    serialised(async () => {
      const groups = await groupsOfCenterSite(change.centerId);
      return apply(setUnitGroups(setup, change.centerId, change.itemId, change, groups));
    }),
  );
  setHandler(setPolicyUpdate, (change) => serialised(() => apply(setPolicy(setup, change))));
  setHandler(catalogEventSignal, async (event) => {
    if (recentEventIds.includes(event.eventId)) return;
    recentEventIds = [...recentEventIds, event.eventId].slice(-1000);
    await serialised(() => {
      const result = applyCatalogEvent(setup, event);
      // An event the rules refuse grants nothing: it is dropped, never retried.
      if (result.ok) apply(result);
    });
  });

  /** Only called inside the lock: no other change can move the center's site meanwhile. */
  async function groupsOfCenterSite(centerId: string): Promise<string[]> {
    const siteId = setup.centers[centerId]?.saltoSiteId;
    if (!siteId) return []; // the pure rule reports "center has no site" in words
    const groups = await salto.listSaltoAccessGroups({ siteId });
    return groups.map((g) => g.id);
  }

  for (;;) {
    // Every wait blocks on an event or a durable timer, so the loop never spins.
    const wake = (): boolean => fanOuts.length > 0 || workflowInfo().continueAsNewSuggested;
    const catchUpAt = nextCatchUpAt(catchUps);
    if (catchUpAt === null) await condition(wake);
    else if (catchUpAt > Date.now()) await condition(wake, catchUpAt - Date.now());

    // Fan-outs run in order; the people re-read the newest set-up, so merging them is safe.
    while (fanOuts.length > 0) {
      const { fanOut, committedAt } = mergeFanOuts(fanOuts.splice(0, fanOuts.length), Date.now());
      await coordinationLong.notifyPeopleOfSetupChange(fanOut);
      if (patched(CATCH_UP_PATCH)) catchUps.push(catchUpAfter(fanOut, committedAt, Date.now()));
    }
    const { due, waiting } = takeDueCatchUps(catchUps, Date.now());
    if (due) {
      catchUps = waiting;
      await coordinationLong.notifyPeopleOfSetupChange(due);
    }

    if (workflowInfo().continueAsNewSuggested) {
      // An update awaiting SALTO KS, or a signal queued behind it, finishes in this run.
      await condition(allHandlersFinished);
      await continueAsNew<typeof setupWorkflow>({
        ...input,
        carried: { setup, fanOuts, recentEventIds, catchUps },
      });
    }
  }
}

function applyCatalogEvent(setup: Setup, event: CatalogEvent): SetupEditResult {
  switch (event.type) {
    case 'center':
      return upsertCatalogCenter(setup, event.center);
    case 'product':
      return upsertCatalogProduct(setup, event.product);
    case 'reservation-unit':
      return upsertCatalogUnit(setup, event.unit);
    case 'product-deleted':
      return removeCatalogProduct(setup, event.id);
    case 'reservation-unit-deleted':
      return removeCatalogUnit(setup, event.id);
  }
}
