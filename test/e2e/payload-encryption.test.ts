// Names and e-mails never sit in plain text in Temporal: the raw histories of a member, a
// non-member with a reservation and that reservation, read through the Temporal client with no
// codec, hold none of them in any byte — yet decrypting their payloads with the key finds them,
// so they were there, encrypted. Dev server, real worker and API, SALTO KS simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { memberCreated, reservationCreated, reservationSnapshot } from '../../src/demo/event-builders';
import { personWorkflowId, reservationWorkflowId } from '../../src/shared/ids';
import { ENCRYPTED_ENCODING } from '../../src/shared/payload-encryption';
import { startStack, type Stack } from '../helpers/stack';
import { testPayloadCodec } from '../helpers/test-data-converter';
import {
  BERLIN,
  berlinDeskMember,
  emailOf,
  GROUPS,
  mapTestSetup,
  uniqueId,
  UNIT_SPREE,
  waitForSaltoGroups,
} from './e2e-support';
import { activityBaseName } from '../helpers/history-events';

/** Every Payload inside a decoded protobuf message (objects with metadata and data). */
function payloadsIn(value: unknown, out: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return out;
  const o = value as Record<string, unknown>;
  if ('metadata' in o && 'data' in o && ArrayBuffer.isView(o.data)) out.push(o);
  for (const v of Object.values(o)) payloadsIn(v, out);
  return out;
}

const text = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

describe('personal data in Temporal histories', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  async function rawHistory(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await stack.client.workflowService.getWorkflowExecutionHistory({
        namespace: stack.client.options.namespace,
        execution: { workflowId },
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return events;
  }

  it('holds no name or e-mail in any byte of a person or reservation history, only encrypted payloads', async () => {
    const memberId = uniqueId('m');
    const member = berlinDeskMember(memberId, 'Zenobia', `Quillfeather-${memberId}`);
    const guestId = uniqueId('nm');
    const startMs = Date.now() - 60_000;
    const reservation = reservationSnapshot({
      id: uniqueId('r'),
      reservationUnitId: UNIT_SPREE,
      centerId: BERLIN.centerId,
      startMs,
      endMs: startMs + 60 * 60_000,
      customer: {
        type: 'nonmember',
        id: guestId,
        firstName: 'Wilhelmina',
        lastName: `Vantablack-${guestId}`,
        email: emailOf(guestId),
      },
    });
    for (const event of [memberCreated(member), reservationCreated(reservation)]) {
      const answer = await stack.sendEvent(event);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
    }
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);
    await waitForSaltoGroups(stack, BERLIN.siteId, emailOf(guestId), GROUPS.spreeRoom);

    const secrets = [
      member.email,
      member.firstName,
      member.lastName,
      emailOf(guestId),
      'Wilhelmina',
      `Vantablack-${guestId}`,
    ];
    const histories = {
      [personWorkflowId(memberId)]: [member.email, member.lastName],
      [personWorkflowId(guestId)]: [emailOf(guestId), `Vantablack-${guestId}`],
      [reservationWorkflowId(reservation.id)]: [emailOf(guestId)],
    };
    for (const [workflowId, expectedInside] of Object.entries(histories)) {
      const events = await rawHistory(workflowId);
      assert.ok(events.length > 3, `${workflowId} has a history`);
      const raw = Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
      for (const secret of secrets) {
        for (const form of [secret, secret.toLowerCase(), secret.toUpperCase()])
          assert.ok(!raw.includes(Buffer.from(form, 'utf8')), `${workflowId}: "${form}" in plain text`);
      }
      const payloads = payloadsIn(temporal.api.history.v1.History.decode(raw));
      assert.ok(payloads.length > 0, `${workflowId} has payloads`);
      const plain = payloads.filter((p) => text(p.metadata?.encoding) !== ENCRYPTED_ENCODING);
      // Search attributes are indexed by the server, so they cannot be encrypted: they hold ids only.
      for (const p of plain)
        assert.match(text(p.metadata?.encoding), /^json\/plain$/, `${workflowId}: an unencrypted payload`);
      // The control: with the key, the same history does hold them.
      const decoded = await testPayloadCodec.decode(
        payloads.filter((p) => text(p.metadata?.encoding) === ENCRYPTED_ENCODING),
      );
      const opened = decoded.map((p) => text(p.data)).join('\n');
      for (const secret of expectedInside)
        assert.ok(opened.includes(secret), `${workflowId}: "${secret}" is in the encrypted payloads`);
    }

    // The Web UI's summary of each: ids only, and encrypted like every payload (issue 13 §3).
    const summaries = {
      [personWorkflowId(memberId)]: `Person ${memberId}: keeps its SALTO KS access`,
      [personWorkflowId(guestId)]: `Person ${guestId}: keeps its SALTO KS access`,
      [reservationWorkflowId(reservation.id)]:
        `Reservation ${reservation.id}: tells its person the door access window`,
    };
    for (const [workflowId, summary] of Object.entries(summaries)) {
      const described = await stack.client.workflow.getHandle(workflowId).describe();
      assert.equal(await described.staticSummary(), summary, workflowId);
      const raw = described.raw.executionConfig?.userMetadata?.summary;
      assert.equal(
        text(raw?.metadata?.encoding),
        ENCRYPTED_ENCODING,
        `${workflowId}: its summary is encrypted`,
      );
    }
    // Activities and timers carry summaries too (issue 13 §3): encrypted, ids and instants only.
    const summariesIn = async (workflowId: string): Promise<Map<string, string[]>> => {
      const out = new Map<string, string[]>();
      for (const event of await rawHistory(workflowId)) {
        const raw = event.userMetadata?.summary;
        if (!raw) continue;
        assert.equal(
          text(raw.metadata?.encoding),
          ENCRYPTED_ENCODING,
          `${workflowId}: a summary is encrypted`,
        );
        const [plain] = await testPayloadCodec.decode([raw]);
        const kind = event.activityTaskScheduledEventAttributes
          ? `activity ${activityBaseName(event.activityTaskScheduledEventAttributes.activityType?.name)}`
          : event.timerStartedEventAttributes
            ? 'timer'
            : 'other';
        out.set(kind, [...(out.get(kind) ?? []), JSON.parse(text(plain!.data)) as string]);
      }
      return out;
    };
    const memberSummaries = await summariesIn(personWorkflowId(memberId));
    assert.deepEqual(memberSummaries.get('activity ensureSaltoUser'), [
      `find or create the SALTO KS user; a new one gets ${GROUPS.deskBerlin.join(', ')} at Berlin`,
    ]);
    const guestTimers = (await summariesIn(personWorkflowId(guestId))).get('timer') ?? [];
    const closes = new RegExp(
      `^until the window of reservation ${reservation.id} closes at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} Europe/Berlin$`,
    );
    assert.ok(
      guestTimers.some((t) => closes.test(t)),
      JSON.stringify(guestTimers),
    );
    // The reservation sleeps until it is done (its person keeps the window): a day after it closes.
    const done = new RegExp(
      `^until reservation ${reservation.id} is done at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} Europe/Berlin, a day after its window closes$`,
    );
    const reservationTimers = (await summariesIn(reservationWorkflowId(reservation.id))).get('timer') ?? [];
    assert.ok(
      reservationTimers.some((t) => done.test(t)),
      JSON.stringify(reservationTimers),
    );

    // Its current details: what it holds and why, in ids only.
    const metadata = await stack.client.workflow
      .getHandle(personWorkflowId(memberId))
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const details = metadata.currentDetails ?? '';
    assert.match(details, /^\*\*In sync\*\* with SALTO KS/);
    for (const group of GROUPS.deskBerlin)
      assert.ok(details.includes(`- \`${group}\`: holds — billing b-${memberId}`), `${group} in: ${details}`);
    for (const secret of secrets) assert.ok(!details.includes(secret), `current details hold "${secret}"`);
  });

  it('lists people by name and finds one by e-mail, while visibility holds neither in plain text', async () => {
    const memberId = uniqueId('m');
    const lastName = `Marchbanks-${memberId}`;
    const member = berlinDeskMember(memberId, 'Ottoline', lastName);
    const answer = await stack.sendEvent(memberCreated(member));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin);

    // Found by its e-mail, whatever its case and surrounding spaces; the row names the person.
    type Row = {
      personId: string;
      name: { firstName: string; lastName: string } | null;
      email: string | null;
    };
    const search = `  ${member.email.toUpperCase()} `;
    const found = await stack.eventually(
      async () => {
        const page = await stack.api('GET', `/api/people?email=${encodeURIComponent(search)}`);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        const items = (page.body as { items: Row[] }).items;
        return items.length > 0 && items[0]!.name !== null ? items : undefined;
      },
      20_000,
      `${memberId} found by e-mail`,
    );
    assert.deepEqual(
      found.map((r) => [r.personId, r.name, r.email]),
      [[memberId, { firstName: 'Ottoline', lastName }, member.email]],
    );
    const byId = await stack.api('GET', `/api/people?personId=${encodeURIComponent(memberId)}`);
    assert.deepEqual(
      (byId.body as { items: Row[] }).items.map((r) => [r.personId, r.email]),
      [[memberId, member.email]],
      'found by its Deskworks id too',
    );
    const other = await stack.api(
      'GET',
      `/api/people?email=${encodeURIComponent(emailOf(uniqueId('nobody')))}`,
    );
    assert.deepEqual((other.body as { items: Row[] }).items, [], 'another address finds nobody');
    const bad = await stack.api('GET', '/api/people?email=not-an-address');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /"path":"email"/);

    // What visibility itself holds for that workflow: the memo encrypted, the e-mail only hashed.
    const listed = await stack.client.workflowService.listWorkflowExecutions({
      namespace: stack.client.options.namespace,
      query: `WorkflowId = '${personWorkflowId(memberId)}'`,
    });
    assert.equal(listed.executions?.length, 1);
    const info = listed.executions[0]!;
    const raw = Buffer.from(temporal.api.workflow.v1.WorkflowExecutionInfo.encode(info).finish());
    for (const secret of [member.email, 'Ottoline', lastName])
      for (const form of [secret, secret.toLowerCase(), secret.toUpperCase()])
        assert.ok(!raw.includes(Buffer.from(form, 'utf8')), `visibility holds "${form}" in plain text`);
    const memo = Object.values(info.memo?.fields ?? {});
    assert.ok(memo.length > 0, 'the person has a memo');
    for (const p of memo)
      assert.equal(text(p.metadata?.encoding), ENCRYPTED_ENCODING, 'the memo is encrypted');
    const emailKey = info.searchAttributes?.indexedFields?.DeskworksEmailKey;
    assert.match(JSON.parse(text(emailKey?.data)) as string, /^[0-9a-f]{64}$/, 'the e-mail as a keyed hash');
  });
});
