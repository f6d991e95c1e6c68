// Small files that several processes share (the SALTO KS sign-in, signed-out sessions): each
// write replaces the whole file in one rename, after an fsync, so a reader or a crash sees the
// old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `text` to `path` atomically and durably, readable by the owner only (mode 0600). */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      // The mode given to open is masked by umask; set it explicitly.
      await handle.chmod(0o600);
      await handle.writeFile(text);
      await handle.sync(); // on disk before it replaces the old file: a crash leaves one or the other
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Makes a rename in this directory durable (best effort where directories cannot be opened). */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms and file systems refuse fsync on a directory: the rename still happened.
  } finally {
    await handle?.close();
  }
}
