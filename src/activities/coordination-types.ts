// Activities that coordinate workflows (Temporal client calls), as workflows see them.
import type { PersonEvent } from '../core/person-events';
import type { FanOutPlan } from '../core/setup-fan-out';
import type { Setup } from '../core/types';

/** Who a set-up fan-out tells; `startedSince` marks a catch-up (src/core/setup-fan-out.ts). */
export type SetupFanOut = FanOutPlan;

export interface CoordinationActivities {
  /** The current set-up (the set-up workflow's query); a default one if it does not run yet. */
  loadSetup(): Promise<Setup>;
  /** The keyed hash of an e-mail that the person's search attribute carries (src/shared/email-lookup.ts). */
  emailLookupKey(input: { email: string }): Promise<string>;
  /**
   * Both of the above in one call: a person whose e-mail is not hashed yet in its run needs both at
   * the start of a pass, and each local activity costs the workflow one more activation.
   */
  loadSetupAndEmailKey(input: { email: string }): Promise<{ setup: Setup; emailKey: string }>;
  /** Delivers an event to a person workflow, starting it when needed (signal-with-start). */
  signalPerson(input: { personId: string; event: PersonEvent }): Promise<void>;
  /** Tells every person the change affects to reconcile; returns how many were told. */
  notifyPeopleOfSetupChange(input: SetupFanOut): Promise<number>;
  /** Reads one SALTO KS site and tells each managed person what it actually holds there. */
  reconcileSite(input: {
    siteId: string;
  }): Promise<{ usersSeen: number; peopleTold: number; usersMissing?: number }>;
}
