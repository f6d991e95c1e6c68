// The SaltoHeldGroups search attribute: one keyword per access group SALTO KS holds for a person,
// so "who holds this door?" is one visibility query. Site and group ids are percent-encoded, so
// the site/group pair reads back unambiguously whatever characters the ids hold.
import type { SiteGroups } from '../core/types';

/** The keyword of one (site, group) pair. */
export function heldGroupKeyword(siteId: string, groupId: string): string {
  return `${encodeURIComponent(siteId)}/${encodeURIComponent(groupId)}`;
}

/** Every (site, group) pair held, as keywords, sorted. */
export function heldGroupKeywords(held: SiteGroups): string[] {
  return Object.entries(held)
    .flatMap(([siteId, groups]) => groups.map((g) => heldGroupKeyword(siteId, g)))
    .sort();
}

/** The groups of one site among the keywords, decoded and sorted. */
export function groupsHeldOn(keywords: readonly string[], siteId: string): string[] {
  const prefix = `${encodeURIComponent(siteId)}/`;
  return keywords
    .filter((k) => k.startsWith(prefix))
    .map((k) => decodeURIComponent(k.slice(prefix.length)))
    .sort();
}
