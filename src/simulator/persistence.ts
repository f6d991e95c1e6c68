// The state file: written after every change, atomically (write a temporary file, then
// rename), so a demo survives a restart and a crash never leaves half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimData } from './model';

const FORMAT_VERSION = 1;

export function readStateFile(path: string): SimData | null {
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { version?: number; data?: SimData };
  if (parsed.version !== FORMAT_VERSION || parsed.data === undefined) {
    throw new Error(`simulator state file ${path} has an unknown format; delete it to start afresh`);
  }
  return parsed.data;
}

/** Synchronous on purpose: two writes can never interleave, and the state is small. */
export function writeStateFile(path: string, data: SimData): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  // It holds the simulator's tokens and passwords: readable by the owner only.
  writeFileSync(temporary, JSON.stringify({ version: FORMAT_VERSION, data }), { mode: 0o600 });
  renameSync(temporary, path);
}
