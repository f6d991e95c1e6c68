// Checks for the demo:events command line: each names the argument it rejects and says what
// would be accepted, so a newcomer can fix the command without reading code.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isLocalDate } from '../core/dates';
import { DEMO_CENTER_BERLIN, DEMO_CENTER_BROOKLYN } from './demo-data';

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

const emailSchema = z.string().email();

export function emailArgument(name: string, value: string): string {
  if (!emailSchema.safeParse(value).success) {
    throw new CliUsageError(
      `${name} must be an e-mail address, e.g. ${name} ada@example.com (got "${value}")`,
    );
  }
  return value;
}

/** Deskworks ids: 1–200 characters, no spaces (they end up in workflow ids and SALTO aliases). */
export function idArgument(name: string, value: string): string {
  if (!/^\S{1,200}$/.test(value)) {
    throw new CliUsageError(`${name} must be an id of 1 to 200 characters without spaces (got "${value}")`);
  }
  return value;
}

export function dateArgument(name: string, value: string): string {
  // Kept as a boolean: as a type guard on a string, the check would narrow `value` to never.
  const isDate: boolean = isLocalDate(value);
  if (!isDate) {
    throw new CliUsageError(
      `${name} must be a calendar date written YYYY-MM-DD, e.g. 2026-03-01 (got "${value}")`,
    );
  }
  return value;
}

export function minutesArgument(name: string, value: string, min: number): number {
  if (!/^-?\d{1,6}$/.test(value) || Number(value) < min) {
    throw new CliUsageError(`${name} must be a whole number of minutes, at least ${min} (got "${value}")`);
  }
  return Number(value);
}

export function nameArgument(name: string, value: string): string {
  if (value.trim() === '') throw new CliUsageError(`${name} must not be blank`);
  return value;
}

const CENTER_ALIASES: Record<string, string> = { berlin: DEMO_CENTER_BERLIN, brooklyn: DEMO_CENTER_BROOKLYN };

/** `berlin`, `brooklyn`, or any center id. */
export function centerArgument(value: string): string {
  return CENTER_ALIASES[value.toLowerCase()] ?? idArgument('--center', value);
}

export function urlArgument(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new CliUsageError(`${name} must be an http(s) URL, e.g. http://localhost:3000 (got "${value}")`);
  }
  return value.replace(/\/+$/, '');
}

/** A short random suffix for ids the user did not give. */
export function randomSuffix(): string {
  return randomBytes(3).toString('hex');
}
