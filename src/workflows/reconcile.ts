// Periodic reconciliation (run by a Temporal Schedule): each SALTO KS site of the account is read
// once (not only the sites centers map now: a site a center left may still hold groups given by
// hand), and every managed person there hears what SALTO KS actually shows, so their own
// workflow — the single writer — repairs any drift (a group removed or added by hand).
import { patched } from '@temporalio/workflow';
import { coordination, coordinationLong, saltoPatient } from './activity-proxies';

export interface ReconcileResult {
  sites: number;
  usersSeen: number;
  peopleTold: number;
  /** People with access on a site whose SALTO KS user was gone (deleted by hand): each makes it again. */
  usersMissing: number;
}

export async function reconcileAllSitesWorkflow(): Promise<ReconcileResult> {
  const setup = await coordination.loadSetup();
  const mapped = Object.values(setup.centers).flatMap((c) => (c.saltoSiteId ? [c.saltoSiteId] : []));
  const all = patched('reconcile-every-site') ? (await saltoPatient.listSaltoSites()).map((s) => s.id) : [];
  const siteIds = [...new Set([...mapped, ...all])].sort();
  const result: ReconcileResult = { sites: siteIds.length, usersSeen: 0, peopleTold: 0, usersMissing: 0 };
  for (const siteId of siteIds) {
    const r = await coordinationLong.reconcileSite({ siteId });
    result.usersSeen += r.usersSeen;
    result.peopleTold += r.peopleTold;
    // Absent from activities completed before this field existed (replayed histories).
    result.usersMissing += r.usersMissing ?? 0;
  }
  return result;
}
