// "What will this person hold at instant T, and why?": the rules (computeDesiredAccess) applied at
// T to what is known now. Known now means the person's billings and reservations as Deskworks last
// told them, and for a co-member the master's own billings at T; nothing that Deskworks has not
// said yet (a renewal, a deactivation, a new booking) is guessed.
import { computeDesiredAccess } from './entitlements';
import { entitlementInput, type PersonFacts } from './person-state';
import type { DesiredAccess, EntitlementInput, Setup } from './types';

export interface AccessPreview {
  /** The groups per site at T, with every reason for each (rule 4: the union). */
  access: Pick<DesiredAccess, 'groups' | 'reasons' | 'warnings'>;
  /** The first instant after T at which the answer changes by itself (a plan or window edge). */
  changesNextAt: string | null;
}

/**
 * The person's own facts as known now, with no master: what the rules take at any instant. A
 * reservation counts at T if Deskworks has not cancelled it and its workflow has not revoked it
 * yet: one still `scheduled` now is granted in its window. The window decides the rest.
 */
function ownInput(facts: PersonFacts): EntitlementInput {
  return { ...entitlementInput(facts, true), master: null };
}

const earliest = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : Date.parse(a) <= Date.parse(b) ? a : b;

/**
 * The access at `atMs` from what is known now. `masterFacts` is the master's, for a co-member
 * (null when it has none, or its master is not known: then nothing is inherited).
 */
export function previewAccessAt(
  facts: PersonFacts,
  masterFacts: PersonFacts | null,
  setup: Setup,
  atMs: number,
): AccessPreview {
  const input = ownInput(facts);
  let masterChangesAt: string | null = null;
  if (facts.deletedAt === null && facts.masterId !== null) {
    // Rule 2: a co-member inherits the master's plan groups (not its rooms), as they are at T.
    const masterAtT =
      masterFacts !== null && masterFacts.personId === facts.masterId
        ? computeDesiredAccess(ownInput(masterFacts), setup, atMs)
        : null;
    input.master = { masterId: facts.masterId, groups: masterAtT?.planGroups ?? {} };
    masterChangesAt = masterAtT?.nextChangeAt ?? null;
  }
  const desired = computeDesiredAccess(input, setup, atMs);
  return {
    access: { groups: desired.groups, reasons: desired.reasons, warnings: desired.warnings },
    changesNextAt: earliest(desired.nextChangeAt, masterChangesAt),
  };
}
