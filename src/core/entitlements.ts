// Rules 1–4 of the contract: which access groups a person should hold at an instant, why, and
// when that answer next changes by itself (so the person workflow can sleep until then).
import { addReason, groupsOf, sortReasons, type ReasonsBySite } from './access-reasons';
import { billingPeriod, periodContains } from './billing-period';
import { centerTimeZone, mappedGroups } from './mapping';
import type { DesiredAccess, EntitlementInput, ReservationGrant, Setup } from './types';

/** An instant at which the answer may change by itself, and what happens then. */
interface Edge {
  at: number;
  what: string;
  timeZone: string;
}

function byId<T>(items: readonly T[], id: (item: T) => string): T[] {
  return [...items].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
}

/**
 * Rule 1: while the person is active, each active billing whose period holds `nowMs` gives its
 * product's groups at the billing's center. Returns the instants at which a billing starts or ends.
 */
function addBillingReasons(
  input: EntitlementInput,
  setup: Setup,
  nowMs: number,
  plan: ReasonsBySite,
  warnings: string[],
): Edge[] {
  if (input.status !== 'active') return [];
  const edges: Edge[] = [];
  for (const billing of byId(input.billings, (b) => b.id)) {
    if (billing.status !== 'active') continue;
    const timeZone = centerTimeZone(setup, billing.centerId);
    const period = billingPeriod(billing, timeZone);
    if (!period) {
      warnings.push(
        `billing ${billing.id}: its dates (${billing.startDate} to ${billing.endDate ?? 'open'}) hold no day, so it grants nothing`,
      );
      continue;
    }
    if (period.endMs !== null && period.endMs <= nowMs) continue; // over: nothing to say about it
    const mapped = mappedGroups(setup, billing.centerId, 'products', billing.productId);
    // A billing that maps to nothing cannot change the answer, so neither can its edges.
    if (!mapped) {
      warnings.push(
        `billing ${billing.id}: ${unmappedWhy(setup, billing.centerId, 'product', billing.productId)}`,
      );
      continue;
    }
    edges.push({ at: period.startMs, what: `billing ${billing.id} starts`, timeZone });
    if (period.endMs !== null) edges.push({ at: period.endMs, what: `billing ${billing.id} ends`, timeZone });
    if (!periodContains(period, nowMs)) continue;
    addReason(plan, mapped.siteId, mapped.groupIds, {
      kind: 'billing',
      billingId: billing.id,
      productId: billing.productId,
      centerId: billing.centerId,
    });
  }
  return edges;
}

/** Rule 2: an active co-member holds what its master's plans give (the master sends none while inactive). */
function addMasterReasons(input: EntitlementInput, all: ReasonsBySite): void {
  if (input.status !== 'active' || input.master === null) return;
  const reason = { kind: 'master', masterId: input.master.masterId } as const;
  for (const [siteId, groupIds] of Object.entries(input.master.groups))
    addReason(all, siteId, groupIds, reason);
}

/** Rule 3: a granted reservation gives its unit's groups within its window, whatever the person's status. */
function addReservationReasons(
  grants: readonly ReservationGrant[],
  setup: Setup,
  nowMs: number,
  all: ReasonsBySite,
  warnings: string[],
): Edge[] {
  const edges: Edge[] = [];
  for (const grant of byId(grants, (g) => g.reservationId)) {
    const mapped = mappedGroups(setup, grant.centerId, 'reservationUnits', grant.unitId);
    const startMs = Date.parse(grant.windowStart);
    const endMs = Date.parse(grant.windowEnd);
    if (Number.isNaN(startMs) || Number.isNaN(endMs) || endMs <= startMs || endMs <= nowMs) continue;
    if (!mapped) {
      warnings.push(
        `reservation ${grant.reservationId}: ${unmappedWhy(setup, grant.centerId, 'reservation unit', grant.unitId)}`,
      );
      continue;
    }
    const timeZone = centerTimeZone(setup, grant.centerId);
    const window = `the window of reservation ${grant.reservationId}`;
    edges.push(
      { at: startMs, what: `${window} opens`, timeZone },
      { at: endMs, what: `${window} closes`, timeZone },
    );
    if (nowMs < startMs || nowMs >= endMs) continue;
    addReason(all, mapped.siteId, mapped.groupIds, {
      kind: 'reservation',
      reservationId: grant.reservationId,
      unitId: grant.unitId,
      centerId: grant.centerId,
    });
  }
  return edges;
}

/** Why a billing or reservation gives nothing, in the operator's words. */
function unmappedWhy(setup: Setup, centerId: string, what: string, itemId: string): string {
  const center = setup.centers[centerId];
  if (!center) return `center ${centerId} is not set up, so it grants nothing`;
  if (center.saltoSiteId === null) return `center ${centerId} has no SALTO KS site, so it grants nothing`;
  return `${what} ${itemId} is mapped to no access group at center ${centerId}, so it grants nothing`;
}

function copyReasons(reasons: ReasonsBySite): ReasonsBySite {
  const copy: ReasonsBySite = {};
  for (const [siteId, site] of Object.entries(reasons)) {
    copy[siteId] = {};
    for (const [groupId, list] of Object.entries(site)) copy[siteId][groupId] = [...list];
  }
  return copy;
}

export function computeDesiredAccess(input: EntitlementInput, setup: Setup, nowMs: number): DesiredAccess {
  const plan: ReasonsBySite = {};
  const warnings: string[] = [];
  const billingEdges = addBillingReasons(input, setup, nowMs, plan, warnings);
  // Rule 4: the union. Reasons stay in order billing, master, reservation within each group.
  const all = copyReasons(plan);
  addMasterReasons(input, all);
  const reservationEdges = addReservationReasons(input.reservations, setup, nowMs, all, warnings);

  const future = [...billingEdges, ...reservationEdges].filter((edge) => edge.at > nowMs);
  // The earliest; of several at once, the first named (billings before reservations, by id).
  const next = future.reduce<Edge | null>(
    (first, e) => (first === null || e.at < first.at ? e : first),
    null,
  );
  const reasons = sortReasons(all);
  return {
    reasons,
    groups: groupsOf(reasons),
    planGroups: groupsOf(plan),
    nextChangeAt: next ? new Date(next.at).toISOString() : null,
    nextChange: next
      ? { at: new Date(next.at).toISOString(), what: next.what, timeZone: next.timeZone }
      : null,
    warnings,
  };
}
