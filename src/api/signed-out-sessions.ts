// Sessions signed out before their expiry. Session cookies are stateless (any API process can
// check one), so a sign-out only holds everywhere if every API process, and every restart,
// sees the same list: a small file in the shared data directory, like the SALTO KS sign-in.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../storage/atomic-file';
import { withFileLock } from '../storage/file-lock';

export interface SignedOutSessions {
  /** Synchronous, so that checking a cookie stays cheap; may throw when the list cannot be read. */
  has(sessionId: string): boolean;
  add(sessionId: string, expiresAt: number): Promise<void>;
}

/** This process only: for tests and single-process use. */
export class InMemorySignedOutSessions implements SignedOutSessions {
  private readonly ids = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(sessionId: string): boolean {
    return this.ids.has(sessionId);
  }

  add(sessionId: string, expiresAt: number): Promise<void> {
    dropExpired(this.ids, this.now());
    this.ids.set(sessionId, expiresAt);
    return Promise.resolve();
  }
}

const FORMAT_VERSION = 1;

interface ListFile {
  v: number;
  /** sha256 of the session id (the file never holds a usable id) → its expiry, epoch ms. */
  sessions: Record<string, number>;
}

/**
 * The list in a JSON file shared by every API process. Each check looks at the file's identity
 * (every write is a rename, so a new inode) and reads it again only when it changed; a sign-out
 * in one process therefore holds in all the others at their next request.
 */
export class FileSignedOutSessions implements SignedOutSessions {
  private seen = '';
  private hashes = new Map<string, number>();

  constructor(
    private readonly filePath: string,
    private readonly now: () => number = Date.now,
  ) {}

  has(sessionId: string): boolean {
    this.refresh();
    return this.hashes.has(hashOf(sessionId));
  }

  async add(sessionId: string, expiresAt: number): Promise<void> {
    await withFileLock(`${this.filePath}.lock`, async () => {
      const sessions = await this.readForUpdate();
      dropExpired(sessions, this.now());
      sessions.set(hashOf(sessionId), expiresAt);
      const file: ListFile = { v: FORMAT_VERSION, sessions: Object.fromEntries(sessions) };
      await writeFileAtomically(this.filePath, JSON.stringify(file));
    });
    this.seen = ''; // read our own write back on the next check
  }

  private refresh(): void {
    let identity: string;
    try {
      const info = statSync(this.filePath);
      identity = `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      identity = 'none';
    }
    if (identity === this.seen) return;
    this.hashes =
      identity === 'none' ? new Map<string, number>() : this.parse(readFileSync(this.filePath, 'utf8'));
    this.seen = identity;
  }

  private async readForUpdate(): Promise<Map<string, number>> {
    try {
      return this.parse(await readFile(this.filePath, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
  }

  /** A list that cannot be read fails closed: no session is trusted until it is mended. */
  private parse(text: string): Map<string, number> {
    let file: ListFile;
    try {
      file = JSON.parse(text) as ListFile;
    } catch {
      throw new Error(
        `signed-out sessions file ${this.filePath} is damaged; delete it to sign everyone in afresh`,
      );
    }
    if (file.v !== FORMAT_VERSION || typeof file.sessions !== 'object' || file.sessions === null) {
      throw new Error(`signed-out sessions file ${this.filePath} has an unknown format`);
    }
    return new Map(Object.entries(file.sessions).filter(([, at]) => typeof at === 'number'));
  }
}

function hashOf(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('base64url');
}

function dropExpired(list: Map<string, number>, now: number): void {
  for (const [key, expiresAt] of list) if (expiresAt <= now) list.delete(key);
}
