// Readable workflow ids, in one place: the API (which starts and signals) and the
// workflows (which signal each other) must agree on them, and operators read them in the Web UI.

export const SETUP_WORKFLOW_ID = 'setup';
export const RECONCILE_SCHEDULE_ID = 'reconcile-all-sites';

/** One person workflow per Deskworks person (member, co-member or non-member customer). */
export function personWorkflowId(personId: string): string {
  return `person-${personId}`;
}

export function reservationWorkflowId(reservationId: string): string {
  return `reservation-${reservationId}`;
}

export function reconcileWorkflowId(scope: string): string {
  return `reconcile-${scope}`;
}
