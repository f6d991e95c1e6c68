// What the webhook sends with an event that may start a workflow: the set-up as the API last read
// it from the set-up workflow's memo, and, for a person (PersonStart in src/workflows/person.ts),
// the keyed hash of the event's e-mail; for a reservation (ReservationStart in
// src/workflows/reservation.ts), the set-up alone. The first pass then decides without reading them
// by an activity; its first call checks that the set-up is still that version. The set-up is read
// at most once per `maxAgeMs`, by one call at a time, for persons and reservations alike, and is
// sent only while its JSON stays under `maxBytes`: each workflow it starts keeps it in its first
// history event.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PersonEvent } from '../core/person-events';
import type { Setup } from '../core/types';
import { emailLookupKey } from '../shared/email-lookup';
import { readSetupMemo } from '../shared/setup-memo';
import type { ReservationEvent } from '../workflows/messages';
import type { PersonStart } from '../workflows/person';
import type { ReservationStart } from '../workflows/reservation';

/** Answers what to send with `event` if it starts the person's workflow; undefined: nothing. */
export type PersonStartSource = (event: PersonEvent) => Promise<PersonStart | undefined>;
/** Answers what to send with `event` if it starts the reservation's workflow; undefined: nothing. */
export type ReservationStartSource = (event: ReservationEvent) => Promise<ReservationStart | undefined>;
/** The set-up to send with a start, as last read; null: none (unread, too large, or no set-up yet). */
export type SetupForStarts = () => Promise<Setup | null>;

export interface SetupForStartsOptions {
  client: Client;
  /** How long a set-up read is used before it is read again. Default 1 s. */
  maxAgeMs?: number;
  /** A larger set-up (as JSON) is not sent: the workflow reads it. Default 8 KiB. */
  maxBytes?: number;
  now?: () => number;
  /** Told when a read fails (at most once per `maxAgeMs`): the webhook then sends nothing with starts. */
  onReadFailure?: (err: unknown) => void;
}

export interface PersonStartOptions extends SetupForStartsOptions {
  /** The key the workers hash e-mails with (the first of EMAIL_LOOKUP_KEY). */
  emailSecret: Buffer;
  /** A read shared with other sources (setupForStarts); absent: one of its own. */
  setup?: SetupForStarts;
}

/** How long the webhook waits for the set-up before it sends starts without it. */
const READ_DEADLINE_MS = 500;

export function setupForStarts(options: SetupForStartsOptions): SetupForStarts {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const maxBytes = options.maxBytes ?? 8 * 1024;
  const now = options.now ?? Date.now;
  let cached: { readAt: number; setup: Setup | null } | null = null;
  let reading: Promise<Setup | null> | null = null;

  async function readSetup(): Promise<Setup | null> {
    try {
      // Bounded: every start waits for this one read; past it, none carries a set-up.
      const setup = await options.client.withDeadline(Date.now() + READ_DEADLINE_MS, () =>
        readSetupMemo(options.client),
      );
      return setup && Buffer.byteLength(JSON.stringify(setup)) <= maxBytes ? setup : null;
    } catch (err) {
      // No set-up workflow yet, or Temporal unreachable: the workflow reads the set-up itself.
      if (!(err instanceof WorkflowNotFoundError)) options.onReadFailure?.(err);
      return null;
    }
  }

  return async () => {
    if (cached && now() - cached.readAt < maxAgeMs) return cached.setup;
    reading ??= readSetup().then((setup) => {
      cached = { readAt: now(), setup };
      reading = null;
      return setup;
    });
    return reading;
  };
}

export function personStartSource(options: PersonStartOptions): PersonStartSource {
  const currentSetup = options.setup ?? setupForStarts(options);
  return async (event) => {
    if (event.type !== 'member-snapshot') return undefined; // only a snapshot names the e-mail
    const setup = await currentSetup();
    if (setup === null) return undefined;
    const { email } = event.profile;
    return { setup, email, emailKey: emailLookupKey(email, options.emailSecret) };
  };
}

export function reservationStartSource(currentSetup: SetupForStarts): ReservationStartSource {
  return async (event) => {
    // A cancellation that comes first starts a workflow that never decides on a set-up.
    if (event.type !== 'snapshot') return undefined;
    const setup = await currentSetup();
    return setup === null ? undefined : { setup };
  };
}
