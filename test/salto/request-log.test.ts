// The simulator's request log keeps the latest requests only, but counts every one: a benchmark of
// 10,000 members makes 40,000 calls, and counting the window alone reported half of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ENTRIES, RequestLog } from '../../src/simulator/request-log';

const request = (n: number) => ({ method: 'GET', path: `/v1.2/sites/${n}`, query: '', status: 200, at: n });

describe('simulator request log', () => {
  it('counts every request served past its window, and lists the latest, oldest first', () => {
    const log = new RequestLog();
    const total = 2 * MAX_ENTRIES + 123;
    for (let n = 0; n < total; n++) log.add(request(n));
    assert.deepEqual(log.count(), { served: total, kept: MAX_ENTRIES });
    const listed = log.list();
    assert.equal(listed.length, MAX_ENTRIES);
    assert.equal(listed[0]!.at, total - MAX_ENTRIES);
    assert.equal(listed.at(-1)!.at, total - 1);
  });

  it('below the window it lists every request, and a clear starts the count again', () => {
    const log = new RequestLog();
    for (let n = 0; n < 5; n++) log.add(request(n));
    assert.deepEqual(
      log.list().map((r) => r.at),
      [0, 1, 2, 3, 4],
    );
    log.clear();
    assert.deepEqual(log.count(), { served: 0, kept: 0 });
    log.add(request(9));
    assert.deepEqual(log.count(), { served: 1, kept: 1 });
  });
});
