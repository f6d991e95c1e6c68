// One-line summaries the Temporal Web UI shows for a workflow's activities and timers (issue 13
// §3): what a SALTO KS write does and why, what a timer waits for. Ids, center names and instants
// only, never a person's name or e-mail; like every payload they go through the payload codec.
import { offsetAt } from '../core/dates';
import type { AccessReason, NextChange, Setup } from '../core/types';
import { reasonText } from './current-details';

/** The Web UI shows one line: longer summaries are cut. */
export const SUMMARY_MAX_LENGTH = 200;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_MAX_LENGTH ? `${flat.slice(0, SUMMARY_MAX_LENGTH - 1)}…` : flat;
}

/** "2026-06-01 10:45 Europe/Berlin": the wall clock of that zone. */
export function localTime(instantMs: number, timeZone: string): string {
  const wall = new Date(instantMs + offsetAt(instantMs, timeZone)).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)} ${timeZone}`;
}

/** How the summaries name a SALTO KS site: the centers mapped to it, else its id. */
export function siteLabels(setup: Setup): Record<string, string> {
  const names: Record<string, string[]> = {};
  for (const center of Object.values(setup.centers))
    if (center.saltoSiteId) (names[center.saltoSiteId] ??= []).push(center.name ?? center.id);
  return Object.fromEntries(Object.entries(names).map(([site, list]) => [site, list.sort().join(' / ')]));
}

const siteName = (labels: Record<string, string>, siteId: string): string =>
  labels[siteId] ?? `site ${siteId}`;

/** "add ag-x, remove ag-y at Berlin (billing b-1 …)": a group diff and the reasons of what it adds. */
export function groupDiffSummary(
  labels: Record<string, string>,
  siteId: string,
  add: readonly string[],
  remove: readonly string[],
  reasons: Record<string, AccessReason[]>,
  whose = '',
): string {
  const parts = [
    add.length > 0 ? `add ${add.join(', ')}` : null,
    remove.length > 0 ? `remove ${remove.join(', ')}` : null,
  ].filter((p): p is string => p !== null);
  const why = [...new Set(add.flatMap((g) => (reasons[g] ?? []).map(reasonText)))];
  return oneLine(
    `${parts.join('; ')}${whose} at ${siteName(labels, siteId)}${why.length > 0 ? ` (${why.join('; ')})` : ''}`,
  );
}

/** What a SALTO KS user call does, on which site. */
export function userCallSummary(labels: Record<string, string>, siteId: string, what: string): string {
  return oneLine(`${what} at ${siteName(labels, siteId)}`);
}

export interface PersonWait {
  wakeAt: number;
  change: NextChange | null;
  /** The failed passes so far (a retry is due), 0 when in sync. */
  failedAttempts: number;
  claimConfirmAt: number | null;
}

/** Why a person workflow sleeps until `wakeAt`. */
export function personWaitSummary(w: PersonWait): string {
  if (w.change && Date.parse(w.change.at) === w.wakeAt)
    return oneLine(`until ${w.change.what} at ${localTime(w.wakeAt, w.change.timeZone)}`);
  if (w.claimConfirmAt === w.wakeAt)
    return oneLine(
      `until an adopted SALTO KS user's claim is read back at ${new Date(w.wakeAt).toISOString()}`,
    );
  if (w.failedAttempts > 0)
    return oneLine(
      `until retry ${w.failedAttempts + 1} of the sync with SALTO KS at ${new Date(w.wakeAt).toISOString()}`,
    );
  return oneLine(`until ${new Date(w.wakeAt).toISOString()}`);
}

/** Why a reservation workflow sleeps: its window opening or closing. */
export function reservationWaitSummary(
  reservationId: string,
  edge: 'opens' | 'closes',
  atMs: number,
  timeZone: string,
): string {
  return oneLine(`until the window of reservation ${reservationId} ${edge} at ${localTime(atMs, timeZone)}`);
}

/** Why a reservation workflow whose person keeps the window sleeps: until it is done, or a change. */
export function reservationDoneSummary(reservationId: string, atMs: number, timeZone: string): string {
  return oneLine(
    `until reservation ${reservationId} is done at ${localTime(atMs, timeZone)}, a day after its window closes`,
  );
}
