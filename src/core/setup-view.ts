// The set-up as GET /api/setup shows it (admin-api.md): arrays sorted by id, unknowns as null.
import type { CenterSetup, MappedItem, NoAccessPolicy, Setup, SiteId } from './types';

export interface MappedItemView {
  id: string;
  name: string | null;
  accessGroupIds: string[];
}

export interface CenterView {
  id: string;
  name: string | null;
  timeZone: string | null;
  saltoSiteId: SiteId | null;
  products: MappedItemView[];
  reservationUnits: MappedItemView[];
}

export interface SetupView {
  centers: CenterView[];
  noAccessPolicy: NoAccessPolicy;
  reservationLeadMinutes: number;
  reservationLagMinutes: number;
  /** Beyond the contract's fields: lets a client tell whether it shows the latest set-up. */
  version: number;
}

function sortedIds(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort();
}

/** One product's or unit's mapping: the answer of its PUT. */
export function mappedItemToApiView(id: string, item: MappedItem): MappedItemView {
  return { id, name: item.name ?? null, accessGroupIds: [...new Set(item.accessGroupIds)].sort() };
}

function itemsView(items: Record<string, MappedItem>): MappedItemView[] {
  return sortedIds(items).map((id) => mappedItemToApiView(id, items[id] ?? { accessGroupIds: [] }));
}

/** One center: the answer of PUT /api/setup/centers/:centerId. */
export function centerToApiView(center: CenterSetup): CenterView {
  return {
    id: center.id,
    name: center.name ?? null,
    timeZone: center.timeZone ?? null,
    saltoSiteId: center.saltoSiteId,
    products: itemsView(center.products),
    reservationUnits: itemsView(center.reservationUnits),
  };
}

export function setupToApiView(setup: Setup): SetupView {
  return {
    centers: sortedIds(setup.centers).flatMap((id) => {
      const center = setup.centers[id];
      return center ? [centerToApiView(center)] : [];
    }),
    noAccessPolicy: setup.noAccessPolicy,
    reservationLeadMinutes: setup.reservationLeadMinutes,
    reservationLagMinutes: setup.reservationLagMinutes,
    version: setup.version,
  };
}
