// The set-up's rules in one place: the empty set-up, every validated edit, who a change affects,
// and the API view. Each edit is pure: it returns a new Setup (next version) or the problems.
import { checkMarginMinutes } from './setup-policy';
import type { Setup } from './types';

export { setCenterSite, setProductGroups, setUnitGroups } from './setup-mapping';
export type { CenterSiteRequest, ItemGroupsRequest } from './setup-mapping';
export { setPolicy, NO_ACCESS_POLICIES, MAX_RESERVATION_MARGIN_MINUTES } from './setup-policy';
export type { PolicyPatch } from './setup-policy';
export {
  upsertCatalogCenter,
  upsertCatalogProduct,
  upsertCatalogUnit,
  removeCatalogProduct,
  removeCatalogUnit,
  catalogDeletionCenters,
} from './setup-catalog';
export type { CatalogCenter, CatalogItem } from './setup-catalog';
export { setupChangeScope } from './setup-scope';
export type { SetupChangeScope } from './setup-scope';
export {
  setupToApiView,
  centerToApiView,
  mappedItemToApiView,
  sitesToCheck,
  withMissingGroups,
} from './setup-view';
export type { SetupView, CenterView, MappedItemView } from './setup-view';
export type { SetupEditResult, SetupProblem } from './setup-edit';

/** No centers, access kept when it runs out (the contract's default); version 0. */
export function emptySetup(leadMinutes: number, lagMinutes: number): Setup {
  const problems = [
    ...checkMarginMinutes(leadMinutes, 'reservationLeadMinutes'),
    ...checkMarginMinutes(lagMinutes, 'reservationLagMinutes'),
  ];
  if (problems.length > 0) throw new RangeError(problems.map((p) => p.message).join('; '));
  return {
    centers: {},
    noAccessPolicy: 'keep',
    reservationLeadMinutes: leadMinutes,
    reservationLagMinutes: lagMinutes,
    version: 0,
  };
}
