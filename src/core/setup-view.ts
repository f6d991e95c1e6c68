// The set-up as GET /api/setup shows it (admin-api.md): arrays sorted by id, unknowns as null.
import type { CenterSetup, MappedItem, NoAccessPolicy, Setup, SiteId } from './types';

export interface MappedItemView {
  id: string;
  name: string | null;
  accessGroupIds: string[];
  /** Mapped groups the center's SALTO KS site no longer lists; only when SALTO KS answered. */
  missingAccessGroupIds?: string[];
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
  /** Whether the mapped groups could be checked against SALTO KS (absent: nothing was checked). */
  saltoCheck?: { ok: true } | { ok: false; error: string };
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

/** The sites whose groups GET /api/setup must read to check the mapping: those with mapped groups. */
export function sitesToCheck(view: SetupView): SiteId[] {
  const sites = view.centers.flatMap((c) =>
    c.saltoSiteId !== null && [...c.products, ...c.reservationUnits].some((i) => i.accessGroupIds.length > 0)
      ? [c.saltoSiteId]
      : [],
  );
  return [...new Set(sites)].sort();
}

/**
 * The view with, on every item of a center whose site's groups are known, the mapped groups that
 * site no longer lists (a group deleted in SALTO KS after it was mapped). A site absent from
 * `siteGroups` could not be read: its items get no field, rather than a guess.
 */
export function withMissingGroups(
  view: SetupView,
  siteGroups: ReadonlyMap<SiteId, readonly string[]>,
): SetupView {
  const mark = (items: MappedItemView[], known: readonly string[]): MappedItemView[] =>
    items.map((item) => ({
      ...item,
      missingAccessGroupIds: item.accessGroupIds.filter((id) => !known.includes(id)),
    }));
  return {
    ...view,
    centers: view.centers.map((center) => {
      const known = center.saltoSiteId === null ? undefined : siteGroups.get(center.saltoSiteId);
      if (!known) return center;
      return {
        ...center,
        products: mark(center.products, known),
        reservationUnits: mark(center.reservationUnits, known),
      };
    }),
  };
}
