// Rules 1–4 of the contract: which access groups a person should hold at an instant, why, and
// when that answer next changes by itself (so the person workflow can sleep until then).
import { addReason, groupsOf, sortReasons, type ReasonsBySite } from './access-reasons';
import { billingPeriod, periodContains } from './billing-period';
import { centerTimeZone, mappedGroups } from './mapping';
import type { DesiredAccess, EntitlementInput, ReservationGrant, Setup } from './types';

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
): number[] {
  if (input.status !== 'active') return [];
  const edges: number[] = [];
  for (const billing of byId(input.billings, (b) => b.id)) {
    if (billing.status !== 'active') continue;
    const mapped = mappedGroups(setup, billing.centerId, 'products', billing.productId);
    // A billing that maps to nothing cannot change the answer, so neither can its edges.
    if (!mapped) continue;
    const period = billingPeriod(billing, centerTimeZone(setup, billing.centerId));
    if (!period) continue;
    edges.push(period.startMs);
    if (period.endMs !== null) edges.push(period.endMs);
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
): number[] {
  const edges: number[] = [];
  for (const grant of byId(grants, (g) => g.reservationId)) {
    const mapped = mappedGroups(setup, grant.centerId, 'reservationUnits', grant.unitId);
    const startMs = Date.parse(grant.windowStart);
    const endMs = Date.parse(grant.windowEnd);
    if (!mapped || Number.isNaN(startMs) || Number.isNaN(endMs) || endMs <= startMs) continue;
    edges.push(startMs, endMs);
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
  const billingEdges = addBillingReasons(input, setup, nowMs, plan);
  // Rule 4: the union. Reasons stay in order billing, master, reservation within each group.
  const all = copyReasons(plan);
  addMasterReasons(input, all);
  const reservationEdges = addReservationReasons(input.reservations, setup, nowMs, all);

  const future = [...billingEdges, ...reservationEdges].filter((edge) => edge > nowMs);
  const reasons = sortReasons(all);
  return {
    reasons,
    groups: groupsOf(reasons),
    planGroups: groupsOf(plan),
    nextChangeAt: future.length > 0 ? new Date(Math.min(...future)).toISOString() : null,
  };
}
