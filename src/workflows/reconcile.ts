// Periodic reconciliation (run by a Temporal Schedule): each mapped SALTO KS site is read once,
// and every managed person there hears what SALTO KS actually shows, so their own workflow —
// the single writer — repairs any drift (a group removed or added by hand).
import { coordination, coordinationLong } from './activity-proxies';

export interface ReconcileResult {
  sites: number;
  usersSeen: number;
  peopleTold: number;
}

export async function reconcileAllSitesWorkflow(): Promise<ReconcileResult> {
  const setup = await coordination.loadSetup();
  const siteIds = [
    ...new Set(Object.values(setup.centers).flatMap((c) => (c.saltoSiteId ? [c.saltoSiteId] : []))),
  ].sort();
  const result: ReconcileResult = { sites: siteIds.length, usersSeen: 0, peopleTold: 0 };
  for (const siteId of siteIds) {
    const r = await coordinationLong.reconcileSite({ siteId });
    result.usersSeen += r.usersSeen;
    result.peopleTold += r.peopleTold;
  }
  return result;
}
