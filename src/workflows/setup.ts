// The set-up workflow holds the mapping (center → site, product/unit → groups per center) and
// the policy. Changes arrive as updates (validated, answered with the new set-up) and catalog
// signals; every change that alters someone's access makes the affected people reconcile.
import { ApplicationFailure, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
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
import type { SetupFanOut } from '../activities/coordination-types';
import {
  catalogEventSignal,
  getSetupQuery,
  setCenterSiteUpdate,
  setPolicyUpdate,
  setProductGroupsUpdate,
  setUnitGroupsUpdate,
  SETUP_REJECTED,
  type CatalogEvent,
} from './messages';

export interface SetupWorkflowInput {
  reservationLeadMinutes: number;
  reservationLagMinutes: number;
  carried?: { setup: Setup; fanOuts: SetupFanOut[]; recentEventIds: string[] };
}

export async function setupWorkflow(input: SetupWorkflowInput): Promise<void> {
  let setup = input.carried?.setup ?? emptySetup(input.reservationLeadMinutes, input.reservationLagMinutes);
  const fanOuts: SetupFanOut[] = [...(input.carried?.fanOuts ?? [])];
  let recentEventIds = input.carried?.recentEventIds ?? [];
  let busy = 0;

  /** Commits an edit, or rejects the update with the problems in words. */
  const commit = (result: SetupEditResult): Setup => {
    if (!result.ok) {
      throw ApplicationFailure.create({
        type: SETUP_REJECTED,
        message: result.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        details: [result.problems],
        nonRetryable: true,
      });
    }
    const scope = setupChangeScope(setup, result.setup);
    setup = result.setup;
    if (scope.everyone || scope.centerIds.length > 0) fanOuts.push({ version: setup.version, ...scope });
    return setup;
  };

  // Updates that read SALTO KS run one at a time, so two edits never race on the same set-up.
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    await condition(() => busy === 0);
    busy++;
    try {
      return await fn();
    } finally {
      busy--;
    }
  };

  setHandler(getSetupQuery, () => setup);
  setHandler(setCenterSiteUpdate, (change) =>
    exclusive(async () => {
      const sites = await salto.listSaltoSites();
      return commit(
        setCenterSite(
          setup,
          change.centerId,
          change,
          sites.map((s) => s.id),
        ),
      );
    }),
  );
  setHandler(setProductGroupsUpdate, (change) =>
    exclusive(async () =>
      commit(
        setProductGroups(
          setup,
          change.centerId,
          change.itemId,
          change,
          await groupsOfCenterSite(change.centerId),
        ),
      ),
    ),
  );
  setHandler(setUnitGroupsUpdate, (change) =>
    exclusive(async () =>
      commit(
        setUnitGroups(
          setup,
          change.centerId,
          change.itemId,
          change,
          await groupsOfCenterSite(change.centerId),
        ),
      ),
    ),
  );
  setHandler(setPolicyUpdate, (change) => exclusive(() => Promise.resolve(commit(setPolicy(setup, change)))));
  setHandler(catalogEventSignal, (event) => {
    if (recentEventIds.includes(event.eventId)) return;
    recentEventIds = [...recentEventIds, event.eventId].slice(-1000);
    const result = applyCatalogEvent(setup, event);
    if (result.ok) commit(result);
  });

  async function groupsOfCenterSite(centerId: string): Promise<string[]> {
    const siteId = setup.centers[centerId]?.saltoSiteId;
    if (!siteId) return []; // the pure rule reports "center has no site" in words
    const groups = await salto.listSaltoAccessGroups({ siteId });
    return groups.map((g) => g.id);
  }

  for (;;) {
    await condition(() => fanOuts.length > 0 || workflowInfo().continueAsNewSuggested);
    // Fan-outs run in order; the people re-read the newest set-up, so merging them is safe.
    while (fanOuts.length > 0) {
      const batch = fanOuts.splice(0, fanOuts.length);
      const merged: SetupFanOut = {
        version: Math.max(...batch.map((f) => f.version)),
        everyone: batch.some((f) => f.everyone),
        centerIds: [...new Set(batch.flatMap((f) => f.centerIds))].sort(),
      };
      await coordinationLong.notifyPeopleOfSetupChange(merged);
    }
    if (workflowInfo().continueAsNewSuggested && busy === 0) {
      await condition(() => busy === 0);
      await continueAsNew<typeof setupWorkflow>({ ...input, carried: { setup, fanOuts, recentEventIds } });
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
