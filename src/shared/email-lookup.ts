// Finding a person by e-mail without the e-mail in Temporal visibility: the person workflow
// publishes a keyed hash of the normalised address (HMAC-SHA256 under EMAIL_LOOKUP_KEY) as a
// search attribute, and the API hashes the address it is asked for with the same key. Without the
// key nobody can tell which address a hash belongs to, even by trying likely addresses.
import { createHmac } from 'node:crypto';

/** The variable that holds the key, shared by the worker and the API. */
export const EMAIL_LOOKUP_KEY_VARIABLE = 'EMAIL_LOOKUP_KEY';

/**
 * The key of a demo or development run without EMAIL_LOOKUP_KEY. It is public (it is in this
 * file), so anyone with visibility access can test an address against the hash: production sets
 * its own (start-up warns otherwise).
 */
export const DEMO_EMAIL_LOOKUP_KEY = Buffer.from(
  'deskworks-salto demo e-mail lookup key, not secret',
  'utf8',
);

/** The form two addresses share when Deskworks and SALTO KS take them for the same person. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The keyed hash published for an address (hex, 64 characters). */
export function emailLookupKey(email: string, key: Buffer): string {
  return createHmac('sha256', key).update(normalizeEmail(email), 'utf8').digest('hex');
}
