// The webhook's gate in front of Temporal (src/api/delivery-gate.ts): at most N deliveries wait on
// Temporal at once, and a 503's Retry-After is spread over a range that grows with how long
// Temporal has been failing, so that the events turned away during an outage do not all come
// back in one wave. Checked on the gate, then over HTTP through createApiApp's real wiring with a
// fake Temporal client whose signal-with-start waits as long as the test says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { type Client, ServiceError } from '@temporalio/client';
import { createApiApp } from '../../src/api/app';
import { DeliveryGate, RETRY_AFTER_MAX_SECONDS, RETRY_AFTER_MIN_SECONDS } from '../../src/api/delivery-gate';
import { serveOnFreePort, type LocalServer } from '../helpers/local-server';
import { sendSignedEvent } from '../helpers/http-calls';

const WEBHOOK_SECRET = 'delivery-gate-test-secret-0123456789';

/** The Retry-After values the gate gives for 200 draws of `random` spread evenly over [0, 1). */
function retryAfterRange(gate: DeliveryGate, draws: { value: number }): { min: number; max: number } {
  const seen: number[] = [];
  for (let i = 0; i < 200; i++) {
    draws.value = i / 200;
    seen.push(gate.retryAfterSeconds());
  }
  return { min: Math.min(...seen), max: Math.max(...seen) };
}

void describe('the delivery gate', () => {
  void it('lets at most maxInFlight deliveries wait at once, and a place comes back when one ends', () => {
    const gate = new DeliveryGate({ maxInFlight: 2 });
    assert.equal(gate.tryEnter(), true);
    assert.equal(gate.tryEnter(), true);
    assert.equal(gate.tryEnter(), false, 'the third waits for a place');
    gate.leave('answered');
    assert.equal(gate.tryEnter(), true);
    assert.equal(gate.waiting, 2);
  });

  void it('spreads Retry-After over 5–10 s while Temporal answers, and over up to the outage’s length, at most 60 s, while it fails', () => {
    let now = 1_000_000;
    const draw = { value: 0 };
    const gate = new DeliveryGate({ maxInFlight: 4, now: () => now, random: () => draw.value });
    assert.deepEqual(retryAfterRange(gate, draw), { min: RETRY_AFTER_MIN_SECONDS, max: 10 });

    assert.equal(gate.tryEnter(), true);
    gate.leave('unreachable');
    now += 30_000;
    assert.deepEqual(retryAfterRange(gate, draw), { min: 5, max: 30 }, 'failing for 30 s');
    assert.equal(gate.tryEnter(), true);
    gate.leave('unreachable'); // still failing: the outage counts from its first failure
    now += 90_000;
    assert.deepEqual(
      retryAfterRange(gate, draw),
      { min: 5, max: RETRY_AFTER_MAX_SECONDS },
      'failing for 2 min',
    );

    assert.equal(gate.tryEnter(), true);
    gate.leave('other'); // a bug says nothing about Temporal
    assert.deepEqual(retryAfterRange(gate, draw), { min: 5, max: 60 });
    assert.equal(gate.tryEnter(), true);
    gate.leave('answered');
    assert.deepEqual(
      retryAfterRange(gate, draw),
      { min: 5, max: 10 },
      'Temporal answered: the outage is over',
    );
  });

  void it('refuses a maxInFlight that is not a positive integer, naming it', () => {
    assert.throws(
      () => new DeliveryGate({ maxInFlight: 0 }),
      /maxInFlight must be a positive integer, got 0/,
    );
    assert.throws(() => new DeliveryGate({ maxInFlight: 1.5 }), /maxInFlight/);
  });
});

interface HeldTemporal {
  /** Each signal-with-start waits here until the test settles it. */
  held: { workflowId: string; settle: (err: Error | null) => void }[];
}

function heldClient(temporal: HeldTemporal): Client {
  return {
    options: { namespace: 'delivery-gate-test' },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>): Promise<R> => fn(),
    workflow: {
      signalWithStart: (_type: string, options: { workflowId: string }) =>
        new Promise((resolve, reject) => {
          temporal.held.push({
            workflowId: options.workflowId,
            settle: (err) => (err === null ? resolve({ workflowId: options.workflowId }) : reject(err)),
          });
        }),
    },
  } as unknown as Client;
}

function unreachable(): ServiceError {
  const cause = Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:7233'), {
    code: status.UNAVAILABLE,
    details: 'connect ECONNREFUSED 127.0.0.1:7233',
    metadata: new Metadata(),
  });
  return new ServiceError('Failed to signalWithStart Workflow', { cause });
}

let eventNo = 0;
function memberEvent(memberId: string): Record<string, unknown> {
  return {
    id: `evt_gate_${++eventNo}`,
    type: 'member.updated',
    occurredAt: '2026-12-03T08:00:00Z',
    data: {
      id: memberId,
      centerId: 'ctr_berlin',
      firstName: 'Gate',
      lastName: 'Test',
      email: `${memberId}@example.com`,
      phone: null,
      status: 'active',
      masterMemberId: null,
      recurringBillings: [],
      updatedAt: '2026-12-03T08:00:00Z',
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

void describe('the event endpoint behind the gate', () => {
  const temporal: HeldTemporal = { held: [] };
  let now = 5_000_000;
  let local: LocalServer;

  before(async () => {
    const app = createApiApp({
      client: heldClient(temporal),
      taskQueue: 'delivery-gate-test',
      webhookSecrets: [WEBHOOK_SECRET],
      adminToken: 'delivery-gate-test-admin-token-0123456789',
      setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
      log: () => undefined,
      webhookGate: new DeliveryGate({ maxInFlight: 2, now: () => now }),
    });
    local = await serveOnFreePort(app);
  });

  after(async () => {
    await local.close();
  });

  void it('answers 503 at once past the limit, without calling Temporal, and takes events again once a place is free', async () => {
    const first = sendSignedEvent(local.url, memberEvent('mem_a'), WEBHOOK_SECRET);
    const second = sendSignedEvent(local.url, memberEvent('mem_b'), WEBHOOK_SECRET);
    await until(() => temporal.held.length === 2, 'two deliveries waiting on Temporal');

    const third = await sendSignedEvent(local.url, memberEvent('mem_c'), WEBHOOK_SECRET);
    assert.equal(third.status, 503);
    assert.deepEqual(third.body, { error: 'unavailable' });
    const retryAfter = Number(third.headers.get('Retry-After'));
    assert.ok(retryAfter >= 5 && retryAfter <= 10, `Retry-After ${retryAfter} s while Temporal answers`);
    assert.equal(temporal.held.length, 2, 'the third never reached Temporal');

    for (const h of temporal.held.splice(0)) h.settle(null);
    assert.equal((await first).status, 202);
    assert.equal((await second).status, 202);

    const fourth = sendSignedEvent(local.url, memberEvent('mem_c'), WEBHOOK_SECRET);
    await until(() => temporal.held.length === 1, 'the retry reaching Temporal');
    temporal.held.shift()!.settle(null);
    assert.equal((await fourth).status, 202);
  });

  void it('spreads the retries of an outage over a range that grows with it, and over 5–10 s again once Temporal is back', async () => {
    const answerWhileDown = async (memberId: string): Promise<number> => {
      const answer = sendSignedEvent(local.url, memberEvent(memberId), WEBHOOK_SECRET);
      await until(() => temporal.held.length === 1, 'the delivery reaching Temporal');
      temporal.held.shift()!.settle(unreachable());
      const done = await answer;
      assert.equal(done.status, 503);
      return Number(done.headers.get('Retry-After'));
    };
    await answerWhileDown('mem_d'); // the outage begins
    now += 45_000;
    const during: number[] = [];
    for (let i = 0; i < 40; i++) during.push(await answerWhileDown(`mem_e${i}`));
    assert.ok(
      during.every((s) => s >= 5 && s <= 45),
      `45 s into the outage, every Retry-After is 5–45 s: ${during.join(', ')}`,
    );
    assert.ok(Math.max(...during) > 20, `and they are spread, not one value: ${during.join(', ')}`);

    const back = sendSignedEvent(local.url, memberEvent('mem_f'), WEBHOOK_SECRET);
    await until(() => temporal.held.length === 1, 'a delivery once Temporal is back');
    temporal.held.shift()!.settle(null);
    assert.equal((await back).status, 202);
    // Fill both places, then one more: the 503 for being busy is back to 5–10 s.
    const waiting = [
      sendSignedEvent(local.url, memberEvent('mem_g'), WEBHOOK_SECRET),
      sendSignedEvent(local.url, memberEvent('mem_h'), WEBHOOK_SECRET),
    ];
    await until(() => temporal.held.length === 2, 'two deliveries waiting');
    const busy = await sendSignedEvent(local.url, memberEvent('mem_i'), WEBHOOK_SECRET);
    const retryAfter = Number(busy.headers.get('Retry-After'));
    assert.ok(
      busy.status === 503 && retryAfter >= 5 && retryAfter <= 10,
      `busy after the outage: ${retryAfter} s`,
    );
    for (const h of temporal.held.splice(0)) h.settle(null);
    for (const w of waiting) assert.equal((await w).status, 202);
  });
});
