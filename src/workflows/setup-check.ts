// A pass decides on the set-up as it is now (rule 7). Reading it first costs an activity task and
// a workflow task per pass; instead a pass may decide on the set-up it already holds (its previous
// pass's, or the one the webhook sent with its start) and have its calls carry that set-up's
// version until one is answered. They go to the checked variant of each activity (its name ends
// in CHECKED_SUFFIX): a worker of a release before the check has none, so it can never run one
// without checking. A call whose set-up moved refuses before it acts (src/activities/setup-check.ts),
// and the pass decides again on the set-up it hands back. A pass that made no call reads the
// set-up after it, before anything it decided leaves the run, unless a newer set-up is sure to
// reach the person by the set-up workflow's fan-out (src/core/fan-out-coverage.ts).
import {
  ActivityFailure,
  ApplicationFailure,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import { CHECKED_SUFFIX, SETUP_CHANGED, type SaltoActivities, type SetupRefusal } from '../activities/types';
import type { CoordinationActivities } from '../activities/coordination-types';
import type { SetupIdentity } from '../core/setup-fingerprint';
import type { Setup } from '../core/types';
import { coordination, salto } from './activity-proxies';

/** Since 0.7.0 a person's pass may decide on the set-up it holds, checked by its first call. */
export const SETUP_CHECKED_BY_CALL_PATCH = 'setup-checked-by-call';

/** The set-up a pass decided on (version, fingerprint), and whether a call that carried it was answered yet. */
export interface SetupCheck extends SetupIdentity {
  answered: boolean;
}

type AnyActivity = ((...args: unknown[]) => Promise<unknown>) & {
  executeWithOptions(options: ActivityOptions, args: unknown[]): Promise<unknown>;
};

/**
 * `plain` as it is without a check; with one, each call goes to the checked variant with the
 * version, until a call is answered (an answer means its check passed), then to the plain one.
 */
function checked<T extends object>(plain: T, check: SetupCheck | undefined): T {
  if (!check) return plain;
  return new Proxy(plain, {
    get(target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined; // never taken for a promise
      const byName = target as unknown as Record<string, AnyActivity>;
      const send = async (args: unknown[], options?: ActivityOptions): Promise<unknown> => {
        const activity = check.answered ? byName[name]! : byName[`${name}${CHECKED_SUFFIX}`]!;
        const sent = check.answered
          ? args
          : [
              {
                ...(args[0] as object),
                expectSetupVersion: check.version,
                expectSetupFingerprint: check.fingerprint,
              },
              ...args.slice(1),
            ];
        const result = options ? await activity.executeWithOptions(options, sent) : await activity(...sent);
        check.answered = true;
        return result;
      };
      return Object.assign((...args: unknown[]) => send(args), {
        executeWithOptions: (options: ActivityOptions, args: unknown[]) => send(args, options),
      });
    },
  });
}

/** The SALTO KS activities of a pass. */
export function saltoCalls(check: SetupCheck | undefined): ActivityInterfaceFor<SaltoActivities> {
  return checked(salto, check);
}

/** What a pass tells other people (the groups it contributes, a hand-over): decided on its set-up too. */
export function personNewsCalls(
  check: SetupCheck | undefined,
): Pick<ActivityInterfaceFor<CoordinationActivities>, 'signalPerson'> {
  return checked(coordination, check);
}

function refusalOf(err: unknown): ApplicationFailure | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  return err.cause.type === SETUP_CHANGED ? err.cause : undefined;
}

/** The set-up a call handed back because the one its pass decided on has moved; undefined otherwise. */
export function movedSetupOf(err: unknown): Setup | undefined {
  return refusalOf(err)?.details?.[0] as Setup | undefined;
}

/**
 * Whether a call refused for a moved set-up on its first attempt, so it wrote nothing. A later
 * attempt's refusal may follow an attempt that acted and lost its answer (mayHaveActed).
 */
export function refusedUntouched(err: unknown): boolean {
  const refusal = refusalOf(err)?.details?.[1] as SetupRefusal | undefined;
  return refusal?.attempt === 1;
}

/** A refusal that may follow an attempt of the same call that acted and lost its answer. */
export function mayHaveActed(err: unknown): boolean {
  return movedSetupOf(err) !== undefined && !refusedUntouched(err);
}
