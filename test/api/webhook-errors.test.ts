// The event endpoint's answers when handing an event to Temporal fails, over HTTP through
// createApiApp's real wiring, with a fake Temporal client whose signal-with-start throws what the
// real client throws. The contract (shared/contracts/deskworks-events.md): 503 + Retry-After only
// when Temporal is unreachable (Deskworks retries, nothing is lost); any other failure is a 500
// `{"error":"internal"}` that shows nothing internal; an event whose ids Temporal could not take is
// a 400 naming the field, and nothing is signalled.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Metadata, status, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { type Client, ServiceError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { createApiApp } from '../../src/api/app';
import { serveOnFreePort, type LocalServer } from '../helpers/local-server';
import { sendSignedEvent, type HttpAnswer } from '../helpers/http-calls';

const WEBHOOK_SECRET = 'webhook-errors-test-secret-0123456789';
const ADMIN_TOKEN = 'webhook-errors-test-admin-token-0123456789';

/** An error as @grpc/grpc-js makes it from a server's status (see its callErrorFromStatus). */
function grpcError(code: status, details: string): GrpcServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

/** As @temporalio/client's WorkflowClient wraps a gRPC error of signalWithStart. */
function clientError(code: status, details: string): ServiceError {
  return new ServiceError('Failed to signalWithStart Workflow', { cause: grpcError(code, details) });
}

interface FakeTemporal {
  /** What signalWithStart throws next; null: it succeeds. */
  failWith: unknown;
  signalled: { workflowId: string; signalArgs: unknown[] }[];
}

function fakeClient(fake: FakeTemporal): Client {
  return {
    options: { namespace: 'webhook-errors-test' },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>): Promise<R> => fn(),
    workflow: {
      signalWithStart: (_type: string, options: { workflowId: string; signalArgs: unknown[] }) => {
        // Deliberately anything, not only an Error: the route must cope with whatever is thrown.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (fake.failWith !== null) return Promise.reject(fake.failWith);
        fake.signalled.push({ workflowId: options.workflowId, signalArgs: options.signalArgs });
        return Promise.resolve({ workflowId: options.workflowId });
      },
    },
  } as unknown as Client;
}

const member = {
  id: 'mem_1042',
  centerId: 'ctr_paris',
  firstName: 'Camille',
  lastName: 'Durand',
  email: 'camille.durand@example.com',
  phone: null,
  status: 'active',
  masterMemberId: null,
  recurringBillings: [
    {
      id: 'rb_7001',
      productId: 'prod_flex_desk',
      centerId: 'ctr_paris',
      startDate: '2026-11-01',
      endDate: null,
      status: 'active',
    },
  ],
  updatedAt: '2026-11-28T14:03:11Z',
};

let eventCounter = 0;
function memberUpdated(data: Record<string, unknown> = member): Record<string, unknown> {
  return { id: `evt_${++eventCounter}`, type: 'member.updated', occurredAt: '2026-11-28T14:03:11Z', data };
}

void describe('the event endpoint when handing the event to Temporal fails', () => {
  const fake: FakeTemporal = { failWith: null, signalled: [] };
  const logged: string[] = [];
  let local: LocalServer;
  let url: string;

  before(async () => {
    const app = createApiApp({
      client: fakeClient(fake),
      taskQueue: 'webhook-errors-test',
      webhookSecrets: [WEBHOOK_SECRET],
      adminToken: ADMIN_TOKEN,
      setupDefaults: { reservationLeadMinutes: 15, reservationLagMinutes: 15 },
      log: (line, fields) => void logged.push(fields ? `${line} ${JSON.stringify(fields)}` : line),
    });
    local = await serveOnFreePort(app);
    url = local.url;
  });

  after(async () => {
    await local.close();
  });

  beforeEach(() => {
    fake.failWith = null;
    fake.signalled.length = 0;
    logged.length = 0;
  });

  const send = (event: unknown): Promise<HttpAnswer> => sendSignedEvent(url, event, WEBHOOK_SECRET);

  function assertUnavailable(answer: HttpAnswer): void {
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.body, { error: 'unavailable' });
    assert.ok(Number(answer.headers.get('Retry-After')) > 0, 'Retry-After tells Deskworks when to retry');
  }

  function assertInternal(answer: HttpAnswer, secret: string): void {
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.body, { error: 'internal' });
    assert.ok(!JSON.stringify(answer.body).includes(secret), 'the answer shows nothing internal');
    assert.equal(answer.headers.get('Retry-After'), null);
  }

  void it('202 when Temporal took the event (the fake is wired right)', async () => {
    const event = memberUpdated();
    const answer = await send(event);
    assert.equal(answer.status, 202);
    assert.deepEqual(answer.body, { accepted: true, eventId: event.id });
    assert.deepEqual(
      fake.signalled.map((s) => s.workflowId),
      ['person-mem_1042'],
    );
    const line = logged.find((l) => l.includes(String(event.id)));
    assert.ok(
      line?.endsWith(
        JSON.stringify({ eventId: event.id, eventType: 'member.updated', workflowId: 'person-mem_1042' }),
      ),
      `the log line carries the ids as fields: ${line}`,
    );
  });

  void it('503 + Retry-After when Temporal is unreachable (gRPC UNAVAILABLE)', async () => {
    fake.failWith = clientError(
      status.UNAVAILABLE,
      'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7233',
    );
    assertUnavailable(await send(memberUpdated()));
  });

  void it('503 + Retry-After when Temporal did not answer in time (gRPC DEADLINE_EXCEEDED)', async () => {
    fake.failWith = clientError(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 5.001s');
    assertUnavailable(await send(memberUpdated()));
  });

  void it('503 + Retry-After when Temporal asks to be called later (gRPC RESOURCE_EXHAUSTED)', async () => {
    fake.failWith = clientError(status.RESOURCE_EXHAUSTED, 'namespace rate limit exceeded');
    assertUnavailable(await send(memberUpdated()));
  });

  void it('503 + Retry-After when the call was cut off (gRPC CANCELLED: a Temporal server restarting)', async () => {
    // Seen in npm run chaos 10 s after the dev server came back: the webhook answered 500.
    fake.failWith = clientError(status.CANCELLED, 'Call cancelled');
    assertUnavailable(await send(memberUpdated()));
  });

  void it('503 + Retry-After when the namespace is not found (a server still loading its namespaces)', async () => {
    fake.failWith = new NamespaceNotFoundError('default');
    assertUnavailable(await send(memberUpdated()));
    assert.match(logged.join('\n'), /NamespaceNotFoundError: Namespace not found: 'default'/);
  });

  void it('503 + Retry-After on a connection error below the client', async () => {
    fake.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7233'), { code: 'ECONNREFUSED' });
    assertUnavailable(await send(memberUpdated()));
  });

  void it('503 + Retry-After when the owning workflow is over its signal limit (no worker ran it for 10,000 signals)', async () => {
    // The words of Temporal server 1.29 (the dev server), seen at the 10,001st signal to a workflow
    // no worker had run: the fuzzer's webhook phase ran into it.
    fake.failWith = clientError(
      status.INVALID_ARGUMENT,
      'exceeded workflow execution limit for signal events',
    );
    const answer = await send(memberUpdated());
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.body, { error: 'unavailable' });
  });

  void it('500 without the internal message when Temporal refuses the request (gRPC INVALID_ARGUMENT)', async () => {
    const secret = 'WorkflowId length exceeds limit; shard 7 internal-detail-91c4';
    fake.failWith = clientError(status.INVALID_ARGUMENT, secret);
    assertInternal(await send(memberUpdated()), secret);
  });

  void it('500 for any other answer of the server (gRPC INTERNAL, PERMISSION_DENIED)', async () => {
    fake.failWith = clientError(status.INTERNAL, 'persistence failure xyz-internal');
    assertInternal(await send(memberUpdated()), 'xyz-internal');
    fake.failWith = clientError(status.PERMISSION_DENIED, 'namespace denied xyz-internal');
    assertInternal(await send(memberUpdated()), 'xyz-internal');
  });

  void it('500 without the message for a plain bug: Error("boom secret")', async () => {
    fake.failWith = new Error('boom secret');
    assertInternal(await send(memberUpdated()), 'boom secret');
  });

  void it('500 for something thrown that is not even an Error', async () => {
    fake.failWith = 'boom secret string';
    assertInternal(await send(memberUpdated()), 'boom secret string');
  });

  void it('logs the failure on the server without names or e-mails, even when the error holds them', async () => {
    const event = memberUpdated();
    fake.failWith = clientError(
      status.INVALID_ARGUMENT,
      `bad payload for Camille Durand <camille.durand@example.com>, other.person@example.org`,
    );
    assertInternal(await send(event), 'Camille');
    const line = logged.find((l) => l.includes(String(event.id)));
    assert.ok(line, `expected a log line naming the event, got ${JSON.stringify(logged)}`);
    assert.match(line, /INVALID_ARGUMENT/);
    for (const personal of ['Camille', 'Durand', 'camille.durand@example.com', 'other.person@example.org']) {
      assert.ok(!line.includes(personal), `the log line holds ${personal}: ${line}`);
    }
  });

  void it('a member id Temporal could not take as a workflow id is a 400 naming it, nothing is signalled', async () => {
    for (const [id, message] of [
      ['m'.repeat(201), /at most 200 characters/],
      ['mem_\ud800', /Unicode/],
      ['', /empty/],
    ] as const) {
      const answer = await send(memberUpdated({ ...member, id }));
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      const body = answer.body as { error: string; issues: { path: string; message: string }[] };
      assert.equal(body.error, 'invalid_event');
      const issue = body.issues.find((i) => i.path === 'data.id');
      assert.ok(issue, JSON.stringify(body));
      assert.match(issue.message, message);
    }
    assert.deepEqual(fake.signalled, []);
  });

  void it('an event id with a lone surrogate is a 400 naming id', async () => {
    const answer = await send({ ...memberUpdated(), id: 'evt_\udfff' });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, {
      error: 'invalid_event',
      issues: [
        { path: 'id', message: (answer.body as { issues: { message: string }[] }).issues[0]!.message },
      ],
    });
    assert.match((answer.body as { issues: { message: string }[] }).issues[0]!.message, /Unicode/);
  });

  void it('a member snapshot with one impossible billing is accepted whole (202)', async () => {
    const impossible = { ...member.recurringBillings[0]!, id: 'rb_7002', endDate: '2026-10-01' };
    const event = memberUpdated({ ...member, recurringBillings: [...member.recurringBillings, impossible] });
    const answer = await send(event);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(fake.signalled.length, 1);
  });
});
