// The shape every set-up edit returns, and how an edit is committed: a new Setup with the next
// version when something changed; the same Setup, same version, when nothing did (events repeat).
import { reservedIdProblem } from './reserved-ids';
import type { CenterSetup, MappedItem, Setup } from './types';

/** One thing wrong with a requested change, in words an operator understands; `field` is the body path. */
export interface SetupProblem {
  field: string;
  message: string;
}

export type SetupEditResult =
  { ok: true; setup: Setup; changed: boolean } | { ok: false; problems: SetupProblem[] };

export function rejected(problems: SetupProblem[]): SetupEditResult {
  return { ok: false, problems };
}

/** JSON with object keys in order, so two set-ups with equal content compare equal. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sameContent(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** `after` is a copy the edit built; it becomes the next version only if it differs from `before`. */
export function commit(before: Setup, after: Setup): SetupEditResult {
  const { version: _before, ...beforeContent } = before;
  const { version: _after, ...afterContent } = after;
  if (sameContent(beforeContent, afterContent)) return { ok: true, setup: before, changed: false };
  return { ok: true, setup: { ...after, version: before.version + 1 }, changed: true };
}

function cloneItems(items: Record<string, MappedItem>): Record<string, MappedItem> {
  const copy: Record<string, MappedItem> = {};
  for (const [id, item] of Object.entries(items))
    copy[id] = { ...item, accessGroupIds: [...item.accessGroupIds] };
  return copy;
}

function cloneCenter(center: CenterSetup): CenterSetup {
  const copy: CenterSetup = {
    ...center,
    products: cloneItems(center.products),
    reservationUnits: cloneItems(center.reservationUnits),
  };
  if (center.catalog) {
    copy.catalog = {};
    if (center.catalog.products) copy.catalog.products = [...center.catalog.products];
    if (center.catalog.reservationUnits) copy.catalog.reservationUnits = [...center.catalog.reservationUnits];
  }
  return copy;
}

/** A deep copy an edit may change freely (Setup travels in workflow state: never mutate the original). */
export function cloneSetup(setup: Setup): Setup {
  const centers: Record<string, CenterSetup> = {};
  for (const [id, center] of Object.entries(setup.centers)) centers[id] = cloneCenter(center);
  return { ...setup, centers };
}

/** The center in `setup` (a copy being edited), created bare when the set-up does not know it yet. */
export function centerIn(setup: Setup, centerId: string): CenterSetup {
  return (setup.centers[centerId] ??= {
    id: centerId,
    saltoSiteId: null,
    products: {},
    reservationUnits: {},
  });
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A problem when an id from a path or an event is missing. */
export function requireId(value: unknown, field: string, what: string): SetupProblem[] {
  if (!isNonEmptyString(value)) return [{ field, message: `${what} id must be a non-empty string` }];
  const reserved = reservedIdProblem(value);
  return reserved === null ? [] : [{ field, message: `${what} id ${reserved}` }];
}

/**
 * The longest name of a center, product or unit the set-up keeps, in characters. The whole set-up
 * lives in the set-up workflow's state and memo, and every catalog event in its history: a name
 * of a hundred thousand characters would soon push them past Temporal's limits.
 */
export const SETUP_NAME_MAX = 200;

/** A catalog name as the set-up keeps it: cut to SETUP_NAME_MAX characters (code points), with "…". */
export function setupName(name: string): string {
  const characters = [...name];
  return characters.length <= SETUP_NAME_MAX ? name : `${characters.slice(0, SETUP_NAME_MAX - 1).join('')}…`;
}

/** A problem when an optional name is given but blank, or longer than the set-up keeps. */
export function checkOptionalName(name: unknown): SetupProblem[] {
  if (name === undefined) return [];
  if (!isNonEmptyString(name)) return [{ field: 'name', message: 'name must not be blank' }];
  return [...name].length > SETUP_NAME_MAX
    ? [{ field: 'name', message: `name must be at most ${SETUP_NAME_MAX} characters` }]
    : [];
}
