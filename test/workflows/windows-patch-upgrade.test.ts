// A deploy of the patch `person-keeps-reservation-windows` meets reservations that told their
// person "scheduled" on the code before it: that person counted only "granted" reservations and set
// no timer for the window. The worker starts on the code before the patch (a bundle without it,
// test/helpers/before-windows-patch.ts), then the product's code takes over every workflow, as a
// deploy does; the doors must still open and close on time. On the dev server, in real time: the
// time-skipping server never moves a stopped worker's sticky tasks on to the next worker.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CATCH_UP_DELAY_MS } from '../../src/core/setup-fan-out';
import { PERSON_KEEPS_RESERVATION_WINDOWS_PATCH } from '../../src/workflows/reservation-windows';
import { BERLIN_SITE, startEngine, type Engine, SPREE } from '../helpers/engine';
import { iso, reservationSnapshot } from '../helpers/events';
import { marksPatch } from '../helpers/history-events';
import { workflowBundle } from '../helpers/stack';

describe('deploying person-keeps-reservation-windows', { timeout: 240_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine({ server: 'dev', beforeWindowsPatch: true });
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapUnit('berlin', 'room-spree', [SPREE]);
    // Windows of the reservations' own times, so they open and close within the test.
    await e.setPolicy({ reservationLeadMinutes: 0, reservationLagMinutes: 0 });
    await workflowBundle('product'); // ready before the deploy, which then takes a second
    // The set-up tells everyone again 30 s after a change; that would wake the people below on the
    // product's code and hide what this test is about. It must have passed before they exist.
    await sleep(CATCH_UP_DELAY_MS + 8_000);
  });
  after(async () => {
    await e?.stop();
  });

  const groups = async (personId: string): Promise<string[]> =>
    (await e.saltoUser(BERLIN_SITE, `${personId}@example.com`))?.groups ?? [];
  const book = async (reservationId: string, personId: string, start: number, end: number): Promise<void> =>
    e.tellReservation(
      reservationId,
      reservationSnapshot(
        { id: reservationId, start: iso(start), end: iso(end), updatedAt: iso(Date.now()) },
        { id: personId, email: `${personId}@example.com` },
      ),
    );
  /**
   * Looks at every guest's groups until each shows `done`, or fails at the deadline; answers, per
   * guest, when the last look that did not show it began.
   */
  const watchUntil = async (
    guests: string[],
    done: (groups: string[]) => boolean,
    deadline: number,
  ): Promise<Map<string, number>> => {
    const lastBefore = new Map<string, number>();
    const waiting = new Set(guests);
    while (waiting.size > 0) {
      assert.ok(Date.now() < deadline, `still waiting at the deadline: ${[...waiting].join(', ')}`);
      for (const guest of [...waiting]) {
        const lookedAt = Date.now();
        if (done(await groups(guest))) waiting.delete(guest);
        else lastBefore.set(guest, lookedAt);
      }
      await sleep(50);
    }
    return lastBefore;
  };
  const marks = async (workflowId: string): Promise<boolean> =>
    marksPatch(
      (await e.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [],
      PERSON_KEEPS_RESERVATION_WINDOWS_PATCH,
    );

  it('opens and closes the door of a reservation told before the deploy, and of one told after', async () => {
    const start = Date.now() + 30_000;
    const end = start + 10_000;
    await book('up-before', 'up-guest-a', start, end);
    await e.settled('reservation-up-before');
    await e.settled('person-up-guest-a');
    assert.equal(await marks('reservation-up-before'), false, 'told on the code before the patch');

    await e.continueOnProductCode();
    // Told after the deploy, to a new person on the product's code.
    await book('up-after', 'up-guest-b', start, end);
    await e.settled('reservation-up-after');
    assert.equal(await marks('reservation-up-after'), true, 'told on the patched code');
    // Both told, and the deploy done, before the window opens: otherwise the first reservation
    // would have opened its door on the old code, and this test would show nothing. The deploy
    // takes about a second here; 30 s leaves a busy machine room for it.
    assert.ok(Date.now() < start, 'both told, and the deploy done, before their window opened');
    for (const guest of ['up-guest-a', 'up-guest-b'])
      assert.ok(!(await groups(guest)).includes(SPREE), `${guest}: no room before the window opens`);

    // With no lead and no lag, the door opens at the window's start and closes at its end: not
    // before, nor 10 s after. Both guests are watched together, and a change counts from the last
    // look that still saw the door as it was: it came after that look began. 2 s of leeway for
    // a busy machine's pauses between looks.
    const guests = ['up-guest-a', 'up-guest-b'];
    const opened = await watchUntil(guests, (held) => held.includes(SPREE), start + 10_000);
    const closed = await watchUntil(guests, (held) => held.length === 0, end + 10_000);
    for (const guest of guests) {
      assert.ok(opened.get(guest)! >= start - 2_000, `${guest}: the room before the window opened`);
      assert.ok(closed.get(guest)! >= end - 2_000, `${guest}: the room gone before the window closed`);
    }
  });
});
