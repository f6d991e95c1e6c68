// A set-up's fingerprint: what a pass's check compares besides the version. A version alone can
// come back with other content (the set-up workflow reset to an earlier point, or terminated and
// started again from version 0); the fingerprint of the whole set-up, version included, cannot,
// short of a hash collision. Pure and deterministic: workflows and activities compute it alike.
import type { Setup } from './types';

/** Two 32-bit FNV-1a lanes with different offsets over the set-up's JSON: 16 hex digits. */
export function setupFingerprint(setup: unknown): string {
  const text = JSON.stringify(setup);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return hex(a) + hex(b);
}

/** What a check holds of the set-up its pass decided on. */
export interface SetupIdentity {
  version: number;
  fingerprint: string;
}

/** Whether `setup` is still the one `held` names: same version and same content. */
export function isSameSetup(setup: Setup, held: SetupIdentity): boolean {
  return setup.version === held.version && setupFingerprint(setup) === held.fingerprint;
}
