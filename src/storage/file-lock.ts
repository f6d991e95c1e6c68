// A lock that several processes sharing a directory take in turn: a lock file created with
// O_EXCL, which only one process can create. The holder removes it when done; a holder that
// died leaves it behind, so a lock older than `staleMs` is taken over.
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileLockOptions {
  /** A lock file older than this belongs to a holder that died; default 60 s. */
  staleMs?: number;
  /** Give up waiting after this long; default staleMs + 10 s (a dead holder's lock is stale by then). */
  waitMs?: number;
}

export class FileLockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    waitedMs: number,
    holder: string,
  ) {
    super(`waited ${waitedMs} ms for the lock ${lockPath} (held by ${holder || 'an unknown process'})`);
    this.name = 'FileLockTimeoutError';
  }
}

/**
 * Runs `work` while holding `lockPath`. Two holders at once are only possible when a holder
 * outlives `staleMs`, so it must be well above the longest `work`.
 */
export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 60_000;
  const waitMs = options.waitMs ?? staleMs + 10_000;
  const owner = `${hostname()} pid ${process.pid} ${randomBytes(6).toString('hex')}`;
  const started = Date.now();
  let pauseMs = 5;
  for (;;) {
    if (await tryCreate(lockPath, owner)) break;
    const holder = await readHolder(lockPath);
    if (holder.ageMs !== null && holder.ageMs > staleMs) {
      // Only remove the file if it is still the stale one we looked at: a newer holder's
      // lock has another owner line.
      if ((await readHolder(lockPath)).owner === holder.owner) await rm(lockPath, { force: true });
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= waitMs) throw new FileLockTimeoutError(lockPath, waited, holder.owner);
    await sleep(pauseMs + Math.random() * pauseMs);
    pauseMs = Math.min(pauseMs * 2, 200);
  }
  try {
    return await work();
  } finally {
    // Remove our own lock only: if we outlived staleMs, another process may hold it now.
    if ((await readHolder(lockPath)).owner === owner) await rm(lockPath, { force: true });
  }
}

async function tryCreate(lockPath: string, owner: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(owner);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readHolder(lockPath: string): Promise<{ owner: string; ageMs: number | null }> {
  try {
    const [owner, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { owner, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { owner: '', ageMs: null };
    throw error;
  }
}
