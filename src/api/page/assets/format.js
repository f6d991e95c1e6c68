// @ts-check
// Words for what the API answers in ids and codes.
import { centerName, itemName } from './store.js';

/** @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** @param {string | null | undefined} kind */
export function kindText(kind) {
  return { member: 'Member', comember: 'Co-member', nonmember: 'Non-member' }[kind ?? ''] ?? 'Unknown yet';
}

/** @param {boolean | null | undefined} inSync */
export function syncText(inSync) {
  return inSync === true ? 'In sync' : inSync === false ? 'Out of sync' : 'Not yet synced';
}

/**
 * @typedef {{ kind: 'billing'; billingId: string; productId: string; centerId: string }
 *   | { kind: 'master'; masterId: string }
 *   | { kind: 'reservation'; reservationId: string; unitId: string; centerId: string }} AccessReason
 */

/** "Why does she open this door?", in one line. @param {AccessReason} reason */
export function reasonText(reason) {
  switch (reason.kind) {
    case 'billing':
      return `Billing ${reason.billingId}: ${itemName('products', reason.centerId, reason.productId)} at ${centerName(reason.centerId)}`;
    case 'master':
      return `Co-member of ${reason.masterId}`;
    case 'reservation':
      return `Reservation ${reason.reservationId}: ${itemName('reservationUnits', reason.centerId, reason.unitId)} at ${centerName(reason.centerId)}`;
    case 'shared-email':
      return `Held for ${reason.personId}, who has the same e-mail`;
    default:
      return JSON.stringify(reason);
  }
}

/** @param {string} policy */
export function policyText(policy) {
  return (
    { keep: 'Keep the SALTO KS user', block: 'Block the SALTO KS user', delete: 'Delete the SALTO KS user' }[
      policy
    ] ?? policy
  );
}
