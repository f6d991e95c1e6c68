// The time-skipping harness leaves a timer whose wait was abandoned to fire instead of cancelling
// it (test/helpers/time-skipping-interceptor.ts: that server strands a run that cancels a
// timer which fired meanwhile, sdk-java#3088). This proves the workaround is in force, and that the
// timer firing later changes nothing the workflow decided. The timer is the person's: it opens the
// door at the window's edge by itself (src/workflows/reservation-windows.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { BERLIN_SITE, startEngine, type Engine, SPREE } from '../helpers/engine';
import { HOUR, iso, MINUTE, reservationSnapshot } from '../helpers/events';
import { personWorkflowId } from '../../src/shared/ids';

const { EventType } = temporal.api.enums.v1;

describe('abandoned timers on the time-skipping server', { timeout: 120_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine();
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapUnit('berlin', 'room-spree', ['ag-berlin-meeting-room-spree']);
    // The set-up tells everyone again 30 s after a change: let that pass before the person exists,
    // so the person's timers are only those of its window.
    await e.passSetupCatchUp();
  });
  after(async () => {
    await e?.stop();
  });

  const timerEvents = async (workflowId: string) => {
    const events = (await e.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const count = (type: temporal.api.enums.v1.EventType) =>
      events.filter((x) => x.eventType === type).length;
    return {
      started: count(EventType.EVENT_TYPE_TIMER_STARTED),
      fired: count(EventType.EVENT_TYPE_TIMER_FIRED),
      cancelled: count(EventType.EVENT_TYPE_TIMER_CANCELED),
    };
  };
  const groupsOfGuest = async () => (await e.saltoUser(BERLIN_SITE, 'mover@example.com'))?.groups ?? [];

  it('are left to fire, and their firing grants nothing early', async () => {
    const now = await e.now();
    const customer = { id: 'mover', email: 'mover@example.com' };
    const id = personWorkflowId('mover');
    // The window opens at +1 h 45 min: the person waits on a timer for it.
    await e.tellReservation(
      'r-moved',
      reservationSnapshot(
        { id: 'r-moved', start: iso(now + 2 * HOUR), end: iso(now + 3 * HOUR), updatedAt: iso(now) },
        customer,
      ),
    );
    await e.eventually(async () => (await timerEvents(id)).started === 1, 'the wait for the window');
    // Moved three hours later: the wait ends on the signal and a new timer starts.
    await e.tellReservation(
      'r-moved',
      reservationSnapshot(
        { id: 'r-moved', start: iso(now + 5 * HOUR), end: iso(now + 6 * HOUR), updatedAt: iso(now + 1) },
        customer,
      ),
    );
    await e.eventually(async () => (await timerEvents(id)).started === 2, 'the wait for the moved window');
    await e.settled(id);
    assert.deepEqual(await timerEvents(id), { started: 2, fired: 0, cancelled: 0 });

    // The first timer fires at its old instant; the room stays shut until the moved window.
    await e.advance(2 * HOUR);
    await e.settled(id);
    assert.deepEqual(await timerEvents(id), { started: 2, fired: 1, cancelled: 0 });
    assert.equal((await e.reservation('r-moved')).state, 'scheduled');
    assert.deepEqual(await groupsOfGuest(), []);

    await e.advance(2 * HOUR + 50 * MINUTE);
    await e.eventually(async () => (await groupsOfGuest()).includes(SPREE), 'the moved window opening');
  });
});
