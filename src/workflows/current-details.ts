// What the Temporal Web UI shows as a workflow's current details (markdown): what a person holds,
// why, and what it waits for; when a reservation opens and closes. Ids, groups and instants only —
// never a name, an e-mail, or an error text (which may quote SALTO KS's answer).
import type { AccessReason, DesiredAccess, SiteGroups } from '../core/types';
import type { ReservationState } from '../core/person-events';

export function reasonText(reason: AccessReason): string {
  switch (reason.kind) {
    case 'billing':
      return `billing ${reason.billingId} (product ${reason.productId} at ${reason.centerId})`;
    case 'master':
      return `master ${reason.masterId}`;
    case 'reservation':
      return `reservation ${reason.reservationId} (unit ${reason.unitId} at ${reason.centerId})`;
    case 'shared-email':
      return `held with ${reason.personId}, who has the same e-mail`;
  }
}

/** Markdown code spans cannot hold a backtick: ids from Deskworks may. */
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

export interface PersonDetailsInput {
  inSync: boolean;
  lastSyncAt: string | null;
  failedAttempts: number;
  failingSince: string | null;
  applied: SiteGroups;
  desired: DesiredAccess | null;
  /** Sites where a claimed SALTO KS user waits for its confirmation, with the instant. */
  claimsConfirmAt: Record<string, string>;
  wakeAt: number | null;
}

export function personDetails(input: PersonDetailsInput): string {
  const lines: string[] = [];
  lines.push(
    input.inSync
      ? `**In sync** with SALTO KS${input.lastSyncAt ? ` (last pass ${input.lastSyncAt})` : ''}.`
      : input.failedAttempts > 0
        ? `**Out of sync**: ${input.failedAttempts} failed pass${input.failedAttempts === 1 ? '' : 'es'} since ${input.failingSince ?? 'now'}; retried by itself.`
        : '**Out of sync**: its doors are being written.',
  );
  const sites = [
    ...new Set([...Object.keys(input.applied), ...Object.keys(input.desired?.groups ?? {})]),
  ].sort();
  if (sites.length === 0) lines.push('', 'Holds no access group.');
  for (const site of sites) {
    lines.push('', `Site ${code(site)}:`, '');
    const held = new Set(input.applied[site] ?? []);
    const reasons = input.desired?.reasons[site] ?? {};
    const groups = [...new Set([...held, ...Object.keys(reasons)])].sort();
    for (const group of groups) {
      const why = (reasons[group] ?? []).map(reasonText).join('; ');
      const state = held.has(group) ? (why ? 'holds' : 'holds, to be removed') : 'to be added';
      lines.push(`- ${code(group)}: ${state}${why ? ` — ${why}` : ''}`);
    }
  }
  const waits: string[] = [];
  for (const [site, at] of Object.entries(input.claimsConfirmAt))
    waits.push(`the confirmation of its claim on a SALTO KS user of site ${code(site)} at ${at}`);
  if (input.desired?.nextChangeAt)
    waits.push(`its access to change by itself at ${input.desired.nextChangeAt}`);
  if (!input.inSync && input.failedAttempts > 0 && input.wakeAt !== null)
    waits.push(`its next retry at ${new Date(input.wakeAt).toISOString()}`);
  lines.push('', waits.length > 0 ? `Waits for ${waits.join(', ')}, or an event.` : 'Waits for an event.');
  return lines.join('\n');
}

export function reservationDetails(input: {
  state: ReservationState;
  personId: string | null;
  windowStart: string | null;
  windowEnd: string | null;
}): string {
  const who = input.personId ? `customer ${code(input.personId)}` : 'no customer known yet';
  const window =
    input.windowStart && input.windowEnd ? `door access from ${input.windowStart} to ${input.windowEnd}` : '';
  switch (input.state) {
    case 'scheduled':
      // The person opens and closes the door at the window's edges (reservation-windows.ts).
      return `**Scheduled** for ${who}${window ? `: ${window}` : ''}.\n\nThe person's workflow opens and closes the door then; this one waits for a change.`;
    case 'granted':
      return `**Granted** to ${who}${window ? `: ${window}` : ''}.\n\nWaits for the window to close, or an event.`;
    case 'revoked':
      return `**Finished** for ${who}${window ? ` (${window})` : ''}: access taken back.\n\nLingers for late duplicates.`;
    case 'cancelled':
      return `**Cancelled** for ${who}: grants nothing.\n\nLingers for late duplicates.`;
  }
}
