// The operator's three set-up steps (admin-api.md "Mapping"): a center's SALTO KS site, then per
// center the groups of each Membership Product and Reservation Unit. Validated here, purely: the
// caller passes what SALTO KS knows (its sites, the site's groups) as plain lists.
import { canonicalTimeZone } from './dates';
import type { MappedKind } from './mapping';
import {
  centerIn,
  checkOptionalName,
  cloneSetup,
  commit,
  rejected,
  requireId,
  type SetupEditResult,
  type SetupProblem,
} from './setup-edit';
import type { AccessGroupId, MappedItem, Setup, SiteId } from './types';

export interface CenterSiteRequest {
  saltoSiteId: SiteId;
  /** Only needed while no center.updated event has told the name. */
  name?: string;
  /** IANA zone; only needed while no center.updated event has told it. */
  timeZone?: string;
}

export interface ItemGroupsRequest {
  accessGroupIds: AccessGroupId[];
  name?: string;
}

/**
 * PUT /api/setup/centers/:centerId. Moving a center to another site clears its products' and
 * units' groups: groups belong to one site, so the old ones mean nothing on the new one.
 */
export function setCenterSite(
  setup: Setup,
  centerId: string,
  request: CenterSiteRequest,
  knownSiteIds: readonly SiteId[],
): SetupEditResult {
  const problems: SetupProblem[] = [
    ...requireId(centerId, 'centerId', 'Center'),
    ...checkOptionalName(request.name),
  ];
  if (!knownSiteIds.includes(request.saltoSiteId)) {
    problems.push({
      field: 'saltoSiteId',
      message: `SALTO KS site "${request.saltoSiteId}" does not exist in the connected SALTO KS account`,
    });
  }
  const timeZone = request.timeZone === undefined ? undefined : canonicalTimeZone(request.timeZone);
  if (timeZone === null) {
    problems.push({ field: 'timeZone', message: `"${request.timeZone}" is not an IANA time zone` });
  }
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  const center = centerIn(next, centerId);
  if (center.saltoSiteId !== request.saltoSiteId) {
    for (const item of [...Object.values(center.products), ...Object.values(center.reservationUnits)]) {
      item.accessGroupIds = [];
    }
  }
  center.saltoSiteId = request.saltoSiteId;
  if (request.name !== undefined) center.name = request.name;
  if (typeof timeZone === 'string') center.timeZone = timeZone;
  return commit(setup, next);
}

const ITEM_WORDS: Record<MappedKind, { field: string; what: string }> = {
  products: { field: 'productId', what: 'Product' },
  reservationUnits: { field: 'unitId', what: 'Reservation unit' },
};

function setItemGroups(
  kind: MappedKind,
  setup: Setup,
  centerId: string,
  itemId: string,
  request: ItemGroupsRequest,
  siteGroupIds: readonly AccessGroupId[],
): SetupEditResult {
  const words = ITEM_WORDS[kind];
  const problems: SetupProblem[] = [
    ...requireId(centerId, 'centerId', 'Center'),
    ...requireId(itemId, words.field, words.what),
    ...checkOptionalName(request.name),
  ];
  const siteId = setup.centers[centerId]?.saltoSiteId ?? null;
  if (siteId === null) {
    problems.push({
      field: 'centerId',
      message: `Center "${centerId}" has no SALTO KS site: map the center to a site first`,
    });
  } else {
    request.accessGroupIds.forEach((groupId, index) => {
      if (!siteGroupIds.includes(groupId)) {
        problems.push({
          field: `accessGroupIds.${index}`,
          message: `Access group "${groupId}" is not on SALTO KS site "${siteId}" of center "${centerId}"`,
        });
      }
    });
  }
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  const items = centerIn(next, centerId)[kind];
  const item: MappedItem = { ...items[itemId], accessGroupIds: [...new Set(request.accessGroupIds)].sort() };
  if (request.name !== undefined) item.name = request.name;
  items[itemId] = item;
  return commit(setup, next);
}

/** PUT /api/setup/centers/:centerId/products/:productId; an empty list unmaps the product. */
export function setProductGroups(
  setup: Setup,
  centerId: string,
  productId: string,
  request: ItemGroupsRequest,
  siteGroupIds: readonly AccessGroupId[],
): SetupEditResult {
  return setItemGroups('products', setup, centerId, productId, request, siteGroupIds);
}

/** PUT /api/setup/centers/:centerId/reservation-units/:unitId; an empty list unmaps the unit. */
export function setUnitGroups(
  setup: Setup,
  centerId: string,
  unitId: string,
  request: ItemGroupsRequest,
  siteGroupIds: readonly AccessGroupId[],
): SetupEditResult {
  return setItemGroups('reservationUnits', setup, centerId, unitId, request, siteGroupIds);
}
