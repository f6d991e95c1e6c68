// @ts-check
// What the page knows, in one place, and the names that make ids readable.
import { get } from './api.js';

/**
 * @typedef {{ id: string; name: string | null; accessGroupIds: string[] }} MappedItem
 * @typedef {{ id: string; name: string | null; timeZone: string | null; saltoSiteId: string | null; products: MappedItem[]; reservationUnits: MappedItem[] }} Center
 * @typedef {{ centers: Center[]; noAccessPolicy: 'keep' | 'block' | 'delete'; reservationLeadMinutes: number; reservationLagMinutes: number; version?: number }} SetupView
 * @typedef {{ id: string; name: string; timeZone: string }} Site
 * @typedef {{ id: string; name: string }} Group
 * @typedef {{ connected: boolean; identityUrl: string; apiUrl: string; account: { grant: string; accessTokenExpiresAt: string | null } | null; error: string | null }} Connection
 */

const ACTIVE_CENTER_KEY = 'accessSync.activeCenter';

export const store = {
  /** @type {SetupView | null} */
  setup: null,
  /** @type {Connection | null} */
  connection: null,
  /** @type {Site[]} */
  sites: [],
  /** @type {string | null} why the site list is empty, in words */
  sitesError: null,
  /** @type {Map<string, Group[] | string>} a site's groups, or why they could not be read */
  groupsBySite: new Map(),
  /** @type {string | null} */
  activeCenterId: localStorage.getItem(ACTIVE_CENTER_KEY),
  /** @type {{ temporalUiUrl: string | null; namespace: string }} */
  config: { temporalUiUrl: null, namespace: 'default' },
  /** Set while the operator edits a set-up form, so the periodic refresh leaves it alone. */
  setupDirty: false,
};

/** @param {string | null} centerId */
export function setActiveCenter(centerId) {
  store.activeCenterId = centerId;
  if (centerId) localStorage.setItem(ACTIVE_CENTER_KEY, centerId);
}

/** @returns {Center | null} */
export function activeCenter() {
  const centers = store.setup?.centers ?? [];
  return centers.find((c) => c.id === store.activeCenterId) ?? centers[0] ?? null;
}

/** @param {string} id */
export function centerName(id) {
  const center = store.setup?.centers.find((c) => c.id === id);
  return center?.name ? `${center.name}` : id;
}

/** @param {string} id */
export function siteName(id) {
  return store.sites.find((s) => s.id === id)?.name ?? id;
}

/**
 * @param {string} siteId
 * @param {string} groupId
 */
export function groupName(siteId, groupId) {
  const groups = store.groupsBySite.get(siteId);
  return (Array.isArray(groups) && groups.find((g) => g.id === groupId)?.name) || groupId;
}

/**
 * @param {'products' | 'reservationUnits'} kind
 * @param {string} centerId
 * @param {string} itemId
 */
export function itemName(kind, centerId, itemId) {
  const center = store.setup?.centers.find((c) => c.id === centerId);
  return center?.[kind].find((i) => i.id === itemId)?.name ?? itemId;
}

export async function loadSites() {
  try {
    store.sites = await get('/api/salto/sites');
    store.sitesError = null;
  } catch (err) {
    store.sites = [];
    store.sitesError = err instanceof Error ? err.message : String(err);
  }
}

/**
 * A site's groups, read once per set-up load (they change rarely; "Reload" reads them again).
 * @param {string} siteId
 */
export async function loadGroups(siteId) {
  if (store.groupsBySite.has(siteId)) return;
  try {
    store.groupsBySite.set(siteId, await get(`/api/salto/sites/${encodeURIComponent(siteId)}/access-groups`));
  } catch (err) {
    store.groupsBySite.set(siteId, err instanceof Error ? err.message : String(err));
  }
}

/** @param {Iterable<string>} siteIds */
export async function loadGroupsOf(siteIds) {
  await Promise.all([...new Set(siteIds)].map(loadGroups));
}
