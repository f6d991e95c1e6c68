// The health panel's judgements, without servers: when workers count as polling, when the
// periodic reconciliation is late, and what SALTO KS's state means for an operator.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  POLLER_FRESH_MS,
  RECONCILE_GRACE_MS,
  reconciliationHealth,
  saltoHealth,
  workerHealth,
  type LastReconciliation,
} from '../../src/api/health';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const MINUTE = 60_000;

describe('workerHealth', () => {
  const poller = (identity: string, agoMs: number | null) => ({
    identity,
    lastAccessMs: agoMs === null ? null : NOW - agoMs,
  });

  it('counts distinct workers polling both workflow and activity tasks', () => {
    const out = workerHealth(
      [poller('1@a', 1000), poller('2@b', 5000)],
      [poller('1@a', 1000), poller('2@b', 2000)],
      'q',
      NOW,
    );
    assert.deepEqual(out, { ok: true, detail: '2 workers polling q' });
    assert.equal(workerHealth([poller('1@a', 0)], [poller('1@a', 0)], 'q', NOW).detail, '1 worker polling q');
  });

  it('does not count a poller last seen longer ago than the freshness limit; says since when', () => {
    const stale = POLLER_FRESH_MS + 1;
    const out = workerHealth([poller('1@a', stale)], [poller('1@a', stale)], 'q', NOW);
    assert.equal(out.ok, false);
    assert.equal(out.detail, 'no worker polls q for any task: start one (npm run worker)');
    assert.equal(out.failingSince, new Date(NOW - stale).toISOString());
  });

  it('names the half of the queue nobody polls', () => {
    assert.match(workerHealth([], [poller('1@a', 0)], 'q', NOW).detail, /for workflow tasks/);
    assert.match(workerHealth([poller('1@a', 0)], [], 'q', NOW).detail, /for activity tasks/);
  });

  it('gives no instant when no poller was ever seen', () => {
    const out = workerHealth([], [], 'q', NOW);
    assert.equal(out.ok, false);
    assert.equal(out.failingSince, undefined);
  });
});

describe('reconciliationHealth', () => {
  const every = 60 * MINUTE;
  const last = (over: Partial<LastReconciliation>): LastReconciliation => ({
    everyMs: every,
    scheduleCreatedMs: NOW - 10 * MINUTE,
    lastStartedMs: null,
    status: null,
    result: null,
    ...over,
  });

  it('is not working without a schedule', () => {
    assert.equal(reconciliationHealth(null, NOW).ok, false);
  });

  it('waits for a first run until two intervals and the grace have passed since the schedule was made', () => {
    assert.deepEqual(reconciliationHealth(last({}), NOW), { ok: true, detail: 'scheduled: no run yet' });
    const created = NOW - 2 * every - RECONCILE_GRACE_MS;
    const never = reconciliationHealth(last({ scheduleCreatedMs: created }), NOW);
    assert.equal(never.ok, false);
    assert.equal(never.failingSince, new Date(created + every).toISOString());
  });

  it('reports what the last completed run read and made again', () => {
    const out = reconciliationHealth(
      last({
        lastStartedMs: NOW - 5 * MINUTE,
        status: 'completed',
        result: { sites: 2, usersSeen: 40, peopleTold: 31, usersMissing: 1 },
      }),
      NOW,
    );
    assert.deepEqual(out, {
      ok: true,
      detail:
        'last run 2026-12-02T09:55:00.000Z: 2 sites, 40 users read, 31 people told what SALTO KS holds, 1 user deleted by hand made again',
    });
    const old = reconciliationHealth(
      last({
        lastStartedMs: NOW - 5 * MINUTE,
        status: 'completed',
        result: { sites: 1, usersSeen: 0, peopleTold: 0 },
      }),
      NOW,
    );
    assert.equal(
      old.detail,
      'last run 2026-12-02T09:55:00.000Z: 1 site, 0 users read, 0 people told what SALTO KS holds',
    );
  });

  it('is late once the last run started more than two intervals and the grace ago', () => {
    const started = NOW - 2 * every - RECONCILE_GRACE_MS;
    const out = reconciliationHealth(last({ lastStartedMs: started, status: 'completed' }), NOW);
    assert.equal(out.ok, false);
    assert.match(out.detail, /^late: the last run started /);
    assert.equal(out.failingSince, new Date(started + every).toISOString());
    assert.equal(
      reconciliationHealth(last({ lastStartedMs: started + 1, status: 'completed' }), NOW).ok,
      true,
    );
  });

  it('is not working when the last run failed, and working while one runs', () => {
    assert.equal(
      reconciliationHealth(last({ lastStartedMs: NOW - MINUTE, status: 'failed' }), NOW).ok,
      false,
    );
    assert.equal(
      reconciliationHealth(last({ lastStartedMs: NOW - MINUTE, status: 'running' }), NOW).ok,
      true,
    );
  });
});

describe('saltoHealth', () => {
  const status = {
    connected: true,
    grant: 'password' as const,
    accessTokenExpiresAt: new Date(NOW + 42 * MINUTE).toISOString(),
    needsReconnect: false,
  };

  it('is working when connected and SALTO KS answered, with the token’s minutes left', () => {
    assert.deepEqual(saltoHealth(status, true, NOW), {
      ok: true,
      detail: 'connected; token valid for 42 min (renewed before it runs out)',
    });
  });

  it('asks for a new sign-in when SALTO KS refused the stored one', () => {
    const out = saltoHealth({ ...status, needsReconnect: true }, true, NOW);
    assert.equal(out.ok, false);
    assert.match(out.detail, /re-connect SALTO KS/);
  });

  it('is not working when not connected, or when SALTO KS failed to answer', () => {
    assert.equal(saltoHealth({ ...status, connected: false }, true, NOW).ok, false);
    const failed = saltoHealth(status, new Error('SALTO KS GET /v1.2/sites: 503'), NOW);
    assert.deepEqual(failed, { ok: false, detail: 'failing: SALTO KS GET /v1.2/sites: 503' });
  });
});
