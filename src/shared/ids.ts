// Every id convention in one place: workflow ids (the API starts and signals them, workflows
// signal each other, operators read them in the Web UI) and the alias that marks a SALTO KS user
// as ours. Pure: imported by workflows, activities and the API alike.

export const SETUP_WORKFLOW_ID = 'setup';
export const RECONCILE_SCHEDULE_ID = 'reconcile-all-sites';

const PERSON_PREFIX = 'person-';
const RESERVATION_PREFIX = 'reservation-';
const ALIAS_PREFIX = 'deskworks:';

/** The workflow type names, as registered by the worker (the exported function names). */
export const PERSON_WORKFLOW_TYPE = 'personWorkflow';
export const RESERVATION_WORKFLOW_TYPE = 'reservationWorkflow';
export const SETUP_WORKFLOW_TYPE = 'setupWorkflow';
export const IMPORT_WORKFLOW_TYPE = 'importWorkflow';

/** One person workflow per Deskworks person (member, co-member or non-member customer). */
export function personWorkflowId(personId: string): string {
  return `${PERSON_PREFIX}${personId}`;
}

/** The person id of a person workflow id; null for any other workflow id. */
export function personIdOfWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(PERSON_PREFIX) ? workflowId.slice(PERSON_PREFIX.length) : null;
}

export function reservationWorkflowId(reservationId: string): string {
  return `${RESERVATION_PREFIX}${reservationId}`;
}

export function reconcileWorkflowId(scope: string): string {
  return `reconcile-${scope}`;
}

/** The alias that marks a SALTO KS user as this person's: `deskworks:<person id>`. */
export function deskworksAlias(personId: string): string {
  return `${ALIAS_PREFIX}${personId}`;
}

/** The person id a SALTO KS alias names; null when the user is not one of ours. */
export function personIdOfAlias(alias: string | null | undefined): string | null {
  return alias?.startsWith(ALIAS_PREFIX) ? alias.slice(ALIAS_PREFIX.length) : null;
}

const IMPORT_ID = /^imp-[0-9a-z]{8,12}-[0-9a-f]{12}$/;

/**
 * An import's id, also its workflow id and the name of its staging folder: the start instant in
 * base 36 and 6 random bytes in hex (passed in: this module stays pure).
 */
export function newImportId(nowMs: number, randomHex: string): string {
  return `imp-${nowMs.toString(36)}-${randomHex}`;
}

/** Only ids this service makes: they become workflow ids and folder names. */
export function isImportId(id: string): boolean {
  return IMPORT_ID.test(id);
}

/** The Temporal Web UI's one-line summary of a person's workflow: its id only, never a name. */
export function personWorkflowSummary(personId: string): string {
  return `Person ${personId}: keeps its SALTO KS access`;
}

/** The Temporal Web UI's one-line summary of a reservation's workflow. */
export function reservationWorkflowSummary(reservationId: string): string {
  return `Reservation ${reservationId}: tells its person the door access window`;
}
