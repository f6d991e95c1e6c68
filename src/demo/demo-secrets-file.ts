// The secrets `npm start` generates for the demo (data/demo-secrets.json), read by the command
// lines that call the running integration when the environment does not name its own.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_SECRETS_FILE = join(__dirname, '..', '..', '..', 'data', 'demo-secrets.json');

/** What `npm start` wrote for the demo; empty when it never ran here. */
export function demoSecrets(): { webhookSecret?: string; adminToken?: string } {
  if (!existsSync(DEMO_SECRETS_FILE)) return {};
  return JSON.parse(readFileSync(DEMO_SECRETS_FILE, 'utf8')) as {
    webhookSecret?: string;
    adminToken?: string;
  };
}

/** The API to call: the option, else DEMO_API_URL, else this machine's PORT. */
export function apiUrlFrom(option: string | null): string {
  const url = option || process.env.DEMO_API_URL || `http://localhost:${process.env.PORT || '3000'}`;
  return url.replace(/\/+$/, '');
}
