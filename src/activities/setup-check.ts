// A person's pass may decide on a set-up it did not read for that pass (the one its previous pass
// read, or the one the webhook sent with its start): its calls then go to the checked variant of
// each activity (src/workflows/setup-check.ts), with that set-up's version. Before acting, a checked
// call compares it with the set-up as it is now and, if it moved, refuses for good without acting
// and hands the new one back, so that the pass decides again. One describe of the set-up workflow
// instead of an activity task of its own per pass.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Setup } from '../core/types';
import { isSameSetup } from '../core/setup-fingerprint';
import { CHECKED_SUFFIX, SETUP_CHANGED, type SetupRefusal } from './types';

/** What a checked call carries besides its own input: the set-up its pass decided on. */
export interface SetupVersionExpected {
  expectSetupVersion: number;
  /** setupFingerprint of that set-up: a version can come back with other content. */
  expectSetupFingerprint: string;
}

/** The failure of a call whose set-up moved: not retried; its details are the set-up now, and the attempt. */
export function setupChangedFailure(expected: number, current: Setup, attempt: number): ApplicationFailure {
  const now =
    current.version === expected
      ? `version ${expected} with other content`
      : `version ${current.version}, not ${expected}`;
  return ApplicationFailure.create({
    message: `the set-up changed (${now}): the pass decides again`,
    type: SETUP_CHANGED,
    nonRetryable: true,
    details: [current, { attempt } satisfies SetupRefusal],
  });
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called outside an activity (a test)
  }
}

/**
 * The checked variant of every function of `activities`, under its name with CHECKED_SUFFIX: it
 * runs the function, without the version, only while the set-up is still that version.
 */
export function checkedVariants<T extends object>(
  activities: T,
  readSetup: () => Promise<Setup>,
): Record<string, (input: SetupVersionExpected) => Promise<unknown>> {
  const variants: Record<string, (input: SetupVersionExpected) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const activity = fn as (input: unknown) => Promise<unknown>;
    variants[`${name}${CHECKED_SUFFIX}`] = async (input) => {
      const { expectSetupVersion, expectSetupFingerprint, ...own } = input;
      if (typeof expectSetupVersion !== 'number' || typeof expectSetupFingerprint !== 'string')
        throw ApplicationFailure.nonRetryable(
          `${name}${CHECKED_SUFFIX}: no expectSetupVersion or expectSetupFingerprint in its input`,
        );
      const current = await readSetup();
      if (!isSameSetup(current, { version: expectSetupVersion, fingerprint: expectSetupFingerprint }))
        throw setupChangedFailure(expectSetupVersion, current, currentAttempt());
      return activity(own);
    };
  }
  return variants;
}
