// The no-access policy and the reservation lead and lag (PATCH /api/setup/policy).
import { cloneSetup, commit, rejected, type SetupEditResult, type SetupProblem } from './setup-edit';
import type { NoAccessPolicy, Setup } from './types';

export const NO_ACCESS_POLICIES: readonly NoAccessPolicy[] = ['keep', 'block', 'delete'];
/** A day: longer leads or lags would be a mistake, not a wish. */
export const MAX_RESERVATION_MARGIN_MINUTES = 1440;

export interface PolicyPatch {
  noAccessPolicy?: NoAccessPolicy;
  reservationLeadMinutes?: number;
  reservationLagMinutes?: number;
}

/** A value as an operator would recognize it: strings quoted, NaN as NaN (not JSON's null). */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Problems with a lead or lag value; [] when it is a whole number of minutes from 0 to 1440. */
export function checkMarginMinutes(value: unknown, field: string): SetupProblem[] {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_RESERVATION_MARGIN_MINUTES
  ) {
    return [];
  }
  return [
    {
      field,
      message: `${field} must be a whole number of minutes from 0 to ${MAX_RESERVATION_MARGIN_MINUTES} (got ${shown(value)})`,
    },
  ];
}

export function setPolicy(setup: Setup, patch: PolicyPatch): SetupEditResult {
  const problems: SetupProblem[] = [];
  if (patch.noAccessPolicy !== undefined && !NO_ACCESS_POLICIES.includes(patch.noAccessPolicy)) {
    problems.push({
      field: 'noAccessPolicy',
      message: `noAccessPolicy must be one of ${NO_ACCESS_POLICIES.join(', ')} (got ${shown(patch.noAccessPolicy)})`,
    });
  }
  if (patch.reservationLeadMinutes !== undefined) {
    problems.push(...checkMarginMinutes(patch.reservationLeadMinutes, 'reservationLeadMinutes'));
  }
  if (patch.reservationLagMinutes !== undefined) {
    problems.push(...checkMarginMinutes(patch.reservationLagMinutes, 'reservationLagMinutes'));
  }
  if (problems.length > 0) return rejected(problems);

  const next = cloneSetup(setup);
  if (patch.noAccessPolicy !== undefined) next.noAccessPolicy = patch.noAccessPolicy;
  if (patch.reservationLeadMinutes !== undefined) next.reservationLeadMinutes = patch.reservationLeadMinutes;
  if (patch.reservationLagMinutes !== undefined) next.reservationLagMinutes = patch.reservationLagMinutes;
  return commit(setup, next);
}
