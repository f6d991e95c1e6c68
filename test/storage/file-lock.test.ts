// The lock that processes sharing the data directory take in turn (token renewal, sign-outs).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileLockTimeoutError, withFileLock } from '../../src/storage/file-lock';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withFileLock', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-lock-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lets one holder in at a time, and every waiter in eventually', async () => {
    const lock = join(dir, 'turns.lock');
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withFileLock(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await pause(5);
          order.push(i);
          inside--;
        }),
      ),
    );
    assert.equal(most, 1);
    assert.equal(order.length, 8);
    assert.deepEqual(await readdir(dir), [], 'no lock file left behind');
  });

  it('releases the lock when the work fails, and passes the failure on', async () => {
    const lock = join(dir, 'fails.lock');
    await assert.rejects(
      withFileLock(lock, () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await withFileLock(lock, () => Promise.resolve('next')), 'next');
  });

  it('takes over the lock of a holder that died (older than staleMs)', async () => {
    const lock = join(dir, 'stale.lock');
    await writeFile(lock, 'host pid 4242 dead');
    const old = new Date(Date.now() - 10_000);
    await utimes(lock, old, old);
    assert.equal(await withFileLock(lock, () => Promise.resolve('taken'), { staleMs: 5_000 }), 'taken');
  });

  it('waits no longer than waitMs for a live holder, and names it', async () => {
    const lock = join(dir, 'busy.lock');
    await writeFile(lock, 'host pid 1 busy');
    const error = await withFileLock(lock, () => Promise.resolve(), { staleMs: 60_000, waitMs: 100 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof FileLockTimeoutError);
    assert.match(error.message, /busy\.lock \(held by host pid 1 busy\)/);
    await rm(lock);
  });
});
