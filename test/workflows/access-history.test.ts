// "When did Ben lose the 24/7 floor, and why?" (issue 13 §2): the person's history names each
// group that reached SALTO KS, added or removed, with the reason and what caused it (an event, the
// plan's end at midnight, a retry, a repair), and each failure and recovery. Time-skipping server,
// SALTO KS simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HistoryEntry } from '../../src/core/access-history';
// The model's calendar (test/model/tz.ts), not the engine's, for the instants expected.
import { addDays, localDate, startOfDay } from '../model/tz';
import { personHistoryQuery } from '../../src/workflows/messages';
import { BERLIN_SITE, type Engine, FLEX, startBerlinFlexEngine } from '../helpers/engine';
import { billing, billingEvent, iso, memberSnapshot, MINUTE, nextEventId } from '../helpers/events';
import { platformUserOf, removeFromGroupInSalto } from '../helpers/salto-by-hand';
import { setSimulatorFaults } from '../helpers/simulator-faults';

type Change = Extract<HistoryEntry, { kind: 'change' }>;

describe('the access history', { timeout: 180_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startBerlinFlexEngine();
  });
  after(async () => {
    await setSimulatorFaults(e.sim.url, {}).catch(() => undefined);
    await e?.stop();
  });

  const history = (personId: string): Promise<HistoryEntry[]> =>
    e.client.workflow.getHandle(`person-${personId}`).query(personHistoryQuery);
  const changes = async (personId: string): Promise<Change[]> =>
    (await history(personId)).filter((h): h is Change => h.kind === 'change');
  const groupsOf = async (personId: string): Promise<string[]> =>
    (await e.saltoUser(BERLIN_SITE, `${personId}@example.com`))?.groups ?? [];
  const waitGroups = (personId: string, expected: string[], what: string) =>
    e.eventually(
      async () =>
        JSON.stringify(await groupsOf(personId)) === JSON.stringify([...expected].sort()) || undefined,
      `${personId}: ${what}`,
      30_000,
    );

  it('names each group added and removed, why, and what caused it, and each failure and recovery', async () => {
    const now = await e.now();
    const today = localDate(now, 'Europe/Berlin');
    const snapshot = memberSnapshot('ben', {
      updatedAt: iso(now),
      billings: [billing({ id: 'b-ends', productId: 'flex', centerId: 'berlin', endDate: today })],
    });
    await e.tellPerson('ben', snapshot);
    await waitGroups('ben', FLEX, 'the plan given');
    await e.settled('person-ben');

    // 1. Added by the member's snapshot, for its billing.
    const added = await changes('ben');
    assert.deepEqual(
      added.map((c) => [c.siteId, c.groupId, c.action, c.repair]),
      FLEX.map((g) => [BERLIN_SITE, g, 'added', false]),
    );
    for (const c of added) {
      assert.deepEqual(
        c.reasons.map((r) => (r.kind === 'billing' ? r.billingId : r.kind)),
        ['b-ends'],
      );
      assert.deepEqual(c.cause, {
        kind: 'events',
        events: [{ eventId: snapshot.eventId, type: 'member-snapshot' }],
      });
    }

    // 2. Removed by itself after the plan's last day, with no event.
    await e.advance(26 * 60 * MINUTE);
    await waitGroups('ben', [], 'the plan ended');
    await e.settled('person-ben');
    const removed = (await changes('ben')).slice(FLEX.length);
    assert.deepEqual(
      removed.map((c) => [c.groupId, c.action, c.reasons, c.cause.kind]),
      FLEX.map((g) => [g, 'removed', [], 'time']),
    );
    const midnight = Date.parse((removed[0]!.cause as { at: string }).at);
    assert.equal(midnight, startOfDay(addDays(today, 1), 'Europe/Berlin'), 'due at the next Berlin midnight');

    // 3. A failure is recorded once, however many retries; the recovery too, and the grant by retry.
    await setSimulatorFaults(e.sim.url, { errors: [{ status: 503, fraction: 1, pathPrefix: '/v1' }] });
    const later = await e.now();
    await e.tellPerson(
      'ben',
      billingEvent(billing({ id: 'b-new', productId: 'flex', centerId: 'berlin' }), iso(later)),
    );
    await e.eventually(
      async () => (await history('ben')).some((h) => h.kind === 'failure') || undefined,
      'the failure recorded',
      30_000,
    );
    await e.advance(20_000); // a few retries while SALTO KS still fails
    await setSimulatorFaults(e.sim.url, {});
    await e.advance(2 * MINUTE);
    await waitGroups('ben', FLEX, 'given again once SALTO KS answers');
    await e.settled('person-ben');
    const afterOutage = await history('ben');
    const failures = afterOutage.filter((h) => h.kind === 'failure');
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.match((failures[0] as { message: string }).message, /503/);
    const recovered = afterOutage.filter((h) => h.kind === 'recovered');
    assert.equal(recovered.length, 1);
    const regranted = afterOutage.filter((h): h is Change => h.kind === 'change').slice(2 * FLEX.length);
    assert.deepEqual(
      regranted.map((c) => [c.groupId, c.action, c.cause.kind]),
      FLEX.map((g) => [g, 'added', 'retry']),
    );
    assert.deepEqual(
      regranted[0]!.reasons.map((r) => (r.kind === 'billing' ? r.billingId : r.kind)),
      ['b-new'],
    );

    // 4. A group removed by hand and put back on resync is a repair.
    const user = platformUserOf(e.sim, BERLIN_SITE, 'ben')!;
    await removeFromGroupInSalto(e.sim, BERLIN_SITE, FLEX[0]!, user);
    const resync = { type: 'resync' as const, eventId: nextEventId() };
    await e.tellPerson('ben', resync);
    await waitGroups('ben', FLEX, 'repaired');
    await e.settled('person-ben');
    const last = (await changes('ben')).at(-1)!;
    assert.deepEqual(
      [last.groupId, last.action, last.repair, last.cause],
      [FLEX[0], 'added', true, { kind: 'events', events: [{ eventId: resync.eventId, type: 'resync' }] }],
    );
  });
});
