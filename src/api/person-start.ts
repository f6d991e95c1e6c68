// What the webhook sends with an event that may start a person's workflow (PersonStart in
// src/workflows/person.ts): the set-up as the API last read it from the set-up workflow's memo, and
// the keyed hash of the event's e-mail. The first pass then decides without reading them by an
// activity; its first SALTO KS call checks that the set-up is still that version. The set-up is
// read at most once per `maxAgeMs`, by one call at a time, and is sent only while its JSON stays
// under `maxBytes`: each workflow it starts keeps it in its first history event.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PersonEvent } from '../core/person-events';
import type { Setup } from '../core/types';
import { emailLookupKey } from '../shared/email-lookup';
import { readSetupMemo } from '../shared/setup-memo';
import type { PersonStart } from '../workflows/person';

/** Answers what to send with `event` if it starts the person's workflow; undefined: nothing. */
export type PersonStartSource = (event: PersonEvent) => Promise<PersonStart | undefined>;

export interface PersonStartOptions {
  client: Client;
  /** The key the workers hash e-mails with (the first of EMAIL_LOOKUP_KEY). */
  emailSecret: Buffer;
  /** How long a set-up read is used before it is read again. Default 1 s. */
  maxAgeMs?: number;
  /** A larger set-up (as JSON) is not sent: the workflow reads it. Default 8 KiB. */
  maxBytes?: number;
  now?: () => number;
  /** Told when a read fails (at most once per `maxAgeMs`): the webhook then sends nothing with starts. */
  onReadFailure?: (err: unknown) => void;
}

/** How long the webhook waits for the set-up before it sends starts without it. */
const READ_DEADLINE_MS = 500;

export function personStartSource(options: PersonStartOptions): PersonStartSource {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const maxBytes = options.maxBytes ?? 8 * 1024;
  const now = options.now ?? Date.now;
  let cached: { readAt: number; setup: Setup | null } | null = null;
  let reading: Promise<Setup | null> | null = null;

  async function readSetup(): Promise<Setup | null> {
    try {
      // Bounded: every member snapshot waits for this one read; past it, none carries a set-up.
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

  async function currentSetup(): Promise<Setup | null> {
    if (cached && now() - cached.readAt < maxAgeMs) return cached.setup;
    reading ??= readSetup().then((setup) => {
      cached = { readAt: now(), setup };
      reading = null;
      return setup;
    });
    return reading;
  }

  return async (event) => {
    if (event.type !== 'member-snapshot') return undefined; // only a snapshot names the e-mail
    const setup = await currentSetup();
    if (setup === null) return undefined;
    const { email } = event.profile;
    return { setup, email, emailKey: emailLookupKey(email, options.emailSecret) };
  };
}
