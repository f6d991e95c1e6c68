// Importing the people a space already has (docs/import.md), end to end on the dev server: a
// file streamed to POST /api/import, the import workflow handing each row to its workflow as the
// webhook would, progress and row errors from GET /api/imports/:id, and what reached SALTO KS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { billing, memberSnapshot, reservationSnapshot } from '../../src/demo/event-builders';
import type { ImportProgress } from '../../src/workflows/import';
import { personWorkflowId, reservationWorkflowId } from '../../src/shared/ids';
import { scheduledActivityTypes } from '../helpers/history-events';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import {
  BERLIN,
  BROOKLYN,
  clearSaltoRequests,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_DESK,
  PRODUCT_OFFICE,
  saltoRequests,
  saltoUsersByEmail,
  UNIT_SPREE,
  uniqueId,
  waitForSaltoGroups,
} from './e2e-support';

interface Upload {
  status: number;
  body: { importId?: string; rows?: number; chunks?: number; error?: string; message?: string };
}

async function upload(
  stack: Stack,
  text: string,
  contentType: string,
  name = 'people.ndjson',
): Promise<Upload> {
  // Streamed, as a large file would be: the body arrives in pieces.
  const bytes = Buffer.from(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.subarray(at, at + 1000));
      controller.close();
    },
  });
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': contentType },
    body,
    duplex: 'half',
  };
  const res = await fetch(`${stack.apiUrl}/api/import?name=${encodeURIComponent(name)}`, init);
  return { status: res.status, body: (await res.json()) as Upload['body'] };
}

async function finished(stack: Stack, importId: string): Promise<ImportProgress> {
  return stack.eventually(
    async () => {
      const answer = await stack.api('GET', `/api/imports/${importId}`);
      const progress = answer.body as ImportProgress;
      return progress.status === 'done' ? progress : undefined;
    },
    90_000,
    `import ${importId} to finish`,
  );
}

const row = (kind: string, data: unknown): string => JSON.stringify({ kind, data });

/** `npm run import -- FILE --api …` against the stack, as an operator runs it. */
function runImportCli(
  stack: Stack,
  file: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = join(__dirname, '..', '..', 'src', 'import', 'import-cli.js');
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, file, '--api', stack.apiUrl],
      { env: { PATH: process.env.PATH, ADMIN_TOKEN }, timeout: 120_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('importing the people a space already has', { timeout: 300_000 }, () => {
  let stack: Stack;
  const tag = uniqueId('imp');
  const members = Array.from({ length: 24 }, (_, i) =>
    memberSnapshot({
      id: `${tag}-m${i}`,
      centerId: i % 2 === 0 ? BERLIN.centerId : BROOKLYN.centerId,
      firstName: `Imported${i}`,
      lastName: 'Member',
      email: emailOf(`${tag}-m${i}`),
      recurringBillings: [
        billing({
          id: `b-${tag}-${i}`,
          productId: i % 3 === 0 ? PRODUCT_OFFICE : PRODUCT_DESK,
          centerId: i % 2 === 0 ? BERLIN.centerId : BROOKLYN.centerId,
          startDate: localDay(i % 2 === 0 ? BERLIN.timeZone : BROOKLYN.timeZone, -30),
        }),
      ],
    }),
  );
  const comember = memberSnapshot({
    id: `${tag}-co`,
    centerId: BERLIN.centerId,
    firstName: 'Co',
    lastName: 'Member',
    email: emailOf(`${tag}-co`),
    masterMemberId: members[0]!.id,
  });
  const guestEmail = emailOf(`${tag}-guest`);
  const reservation = reservationSnapshot({
    id: `${tag}-r1`,
    reservationUnitId: UNIT_SPREE,
    centerId: BERLIN.centerId,
    startMs: Date.now() - 10 * 60_000,
    endMs: Date.now() + 60 * 60_000,
    customer: {
      type: 'nonmember',
      id: `${tag}-guest`,
      firstName: 'Guest',
      lastName: 'Booker',
      email: guestEmail,
    },
  });
  // Rows 1–26 are good; 27–29 are bad in three ways; 30 is good again.
  const lines = [
    row('center', { id: BERLIN.centerId, name: 'Berlin', timeZone: BERLIN.timeZone }),
    ...members.map((m) => row('member', m)),
    row('reservation', reservation),
    '{"kind":"member","data":{"id":"broken"', // not JSON
    row('member', { ...members[1], id: `${tag}-bad`, email: 'not-an-address' }),
    row('visitor', { id: 'v-1' }),
    row('member', comember),
  ];
  const file = lines.join('\n') + '\n';

  before(async () => {
    stack = await startStack();
    await mapTestSetup(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  it('gives every imported member, co-member and reservation their doors, and reports each bad row', async () => {
    const answer = await upload(stack, file, 'application/x-ndjson');
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.rows, 30);
    const progress = await finished(stack, answer.body.importId!);
    assert.equal(progress.rowsDone, 30);
    assert.equal(progress.delivered, 27);
    assert.deepEqual(progress.byKind, { center: 1, member: 25, reservation: 1 });
    assert.equal(progress.issueCount, 3);
    assert.deepEqual(
      progress.issues.map((i) => [i.row, i.field]),
      [
        [27, '(row)'],
        [28, 'data.email'],
        [29, 'kind'],
      ],
    );
    assert.match(progress.issues[0]!.message, /not valid JSON/);
    for (const [i, m] of members.entries()) {
      const berlin = i % 2 === 0;
      const groups =
        i % 3 === 0
          ? berlin
            ? GROUPS.officeBerlin
            : GROUPS.deskBrooklyn // the office product is mapped at Berlin only: desk groups do not apply
          : berlin
            ? GROUPS.deskBerlin
            : GROUPS.deskBrooklyn;
      if (i % 3 === 0 && !berlin) continue; // an unmapped product grants nothing: no user is made
      await waitForSaltoGroups(stack, berlin ? BERLIN.siteId : BROOKLYN.siteId, m.email, groups, 60_000);
    }
    // The co-member holds its master's (member 0: office at Berlin); the guest the room.
    await waitForSaltoGroups(stack, BERLIN.siteId, comember.email, GROUPS.officeBerlin, 60_000);
    await waitForSaltoGroups(stack, BERLIN.siteId, guestEmail, GROUPS.spreeRoom, 60_000);
    assert.deepEqual(readdirSync(stack.importStagingDir), [], 'the staged chunks are deleted once done');
    // Each row starts its workflow as the webhook does, with the set-up (and a member's e-mail
    // hash): a member's first pass and the reservation's decide without reading either.
    const activities = async (workflowId: string): Promise<string[]> =>
      scheduledActivityTypes(await stack.client.workflow.getHandle(workflowId).fetchHistory());
    const member = await activities(personWorkflowId(members[2]!.id));
    assert.ok(member.includes('ensureSaltoUserChecked'), member.join(', '));
    const booked = await activities(reservationWorkflowId(reservation.id));
    assert.ok(booked.includes('signalPersonChecked'), booked.join(', '));
    for (const types of [member, booked])
      assert.ok(
        !types.includes('loadSetup') && !types.includes('loadSetupAndEmailKey'),
        `no read of the set-up: ${types.join(', ')}`,
      );
  });

  it('changes nothing when the same file is imported again', async () => {
    await clearSaltoRequests(stack);
    const answer = await upload(stack, file, 'application/x-ndjson');
    assert.equal(answer.status, 202);
    const progress = await finished(stack, answer.body.importId!);
    assert.equal(progress.delivered, 27);
    // Give the workflows time to act on what they were handed, then look at what reached SALTO KS.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.deepEqual(await saltoRequests(stack), [], 'not one SALTO KS call');
  });

  it('takes a JSON array too, lists recent imports, and refuses a cut-off file or another type', async () => {
    const extra = memberSnapshot({
      id: `${tag}-json`,
      centerId: BERLIN.centerId,
      firstName: 'Json',
      lastName: 'Row',
      email: emailOf(`${tag}-json`),
      recurringBillings: [
        billing({
          id: `b-${tag}-json`,
          productId: PRODUCT_DESK,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone, -1),
        }),
      ],
    });
    const json = `[\n ${row('member', extra)},\n ${row('product', { id: PRODUCT_DESK, centerId: BERLIN.centerId, name: 'Desk, "hot" [flex]' })}\n]`;
    const answer = await upload(stack, json, 'application/json', 'people.json');
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.rows, 2);
    const progress = await finished(stack, answer.body.importId!);
    assert.deepEqual(progress.byKind, { member: 1, product: 1 });
    await waitForSaltoGroups(stack, BERLIN.siteId, extra.email, GROUPS.deskBerlin, 60_000);
    const list = await stack.api('GET', '/api/imports');
    assert.equal(list.status, 200);
    const ids = (list.body as { imports: ImportProgress[] }).imports.map((i) => i.importId);
    assert.ok(ids.includes(answer.body.importId!), JSON.stringify(ids));

    const cut = await upload(stack, json.slice(0, json.length - 10), 'application/json', 'cut.json');
    assert.equal(cut.status, 400);
    assert.match(cut.body.message ?? '', /not closed/);
    const other = await upload(stack, 'a,b,c', 'text/csv', 'people.csv');
    assert.equal(other.status, 415);
    assert.equal((await stack.api('GET', '/api/imports/imp-nothere00-000000000000')).status, 404);
    assert.equal((await stack.api('GET', '/api/imports/..%2Fetc')).status, 400);
  });

  it('imports from the command line (npm run import -- FILE), following progress to the end', async () => {
    const viaCli = memberSnapshot({
      id: `${tag}-cli`,
      centerId: BERLIN.centerId,
      firstName: 'Cli',
      lastName: 'Row',
      email: emailOf(`${tag}-cli`),
      recurringBillings: [
        billing({
          id: `b-${tag}-cli`,
          productId: PRODUCT_DESK,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone, -1),
        }),
      ],
    });
    const file = join(mkdtempSync(join(tmpdir(), 'import-cli-')), 'members.ndjson');
    writeFileSync(file, `${row('member', viaCli)}\n${row('member', { ...viaCli, id: '' })}\n`);
    const result = await runImportCli(stack, file);
    assert.equal(result.code, 1, `one row refused: exit 1\n${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /^import imp-\S+: 2 rows$/m);
    assert.match(result.stdout, /^\[#{30}\] 100% 2\/2 rows, 1 imported, 1 refused$/m);
    assert.match(result.stdout, /^done: 1 rows imported \(1 member\), 1 refused$/m);
    assert.match(result.stdout, /^ {2}row 2, data\.id: /m);
    await waitForSaltoGroups(stack, BERLIN.siteId, viaCli.email, GROUPS.deskBerlin, 60_000);
  });
});

describe('one import at a time', { timeout: 300_000 }, () => {
  let stack: Stack;
  const tag = uniqueId('imp-one');
  before(async () => {
    // 10 rows per second: the first file's 40 rows take about 4 s, time to send a second.
    stack = await startStack({ importRowsPerSecond: 10 });
    await mapTestSetup(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  it('refuses a second file while an import runs (409 naming it, also from the command line), and takes it once that one is done', async () => {
    const noPlan = (i: number) =>
      memberSnapshot({
        id: `${tag}-m${i}`,
        centerId: BERLIN.centerId,
        firstName: `First${i}`,
        lastName: 'File',
        email: emailOf(`${tag}-m${i}`),
      });
    const firstFile = Array.from({ length: 40 }, (_, i) => row('member', noPlan(i))).join('\n') + '\n';
    const second = memberSnapshot({
      id: `${tag}-second`,
      centerId: BERLIN.centerId,
      firstName: 'Second',
      lastName: 'File',
      email: emailOf(`${tag}-second`),
      recurringBillings: [
        billing({
          id: `b-${tag}-second`,
          productId: PRODUCT_DESK,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone, -1),
        }),
      ],
    });
    const secondFile = `${row('member', second)}\n`;

    const first = await upload(stack, firstFile, 'application/x-ndjson', 'first.ndjson');
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const firstId = first.body.importId!;
    // The gate reads visibility, which shows a start within moments.
    await stack.eventually(
      async () => {
        const list = (await stack.api('GET', '/api/imports')).body as { imports: ImportProgress[] };
        return list.imports.some((i) => i.importId === firstId && i.status === 'running') ? true : undefined;
      },
      10_000,
      'the first import listed as running',
    );

    const refused = await upload(stack, secondFile, 'application/x-ndjson', 'second.ndjson');
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'import_running');
    assert.equal(refused.body.importId, firstId);
    assert.match(refused.body.message ?? '', new RegExp(`import ${firstId} is still running`));

    const file = join(mkdtempSync(join(tmpdir(), 'import-one-')), 'second.ndjson');
    writeFileSync(file, secondFile);
    const cli = await runImportCli(stack, file);
    assert.equal(cli.code, 2, `refused: exit 2\n${cli.stdout}${cli.stderr}`);
    assert.match(cli.stderr, new RegExp(`\\(409\\): import ${firstId} is still running`));
    assert.match(cli.stderr, new RegExp(`npm run import -- --follow ${firstId}`));

    // Neither refused file was started, nor did its member reach SALTO KS.
    const listed = (await stack.api('GET', '/api/imports')).body as { imports: ImportProgress[] };
    assert.deepEqual(
      listed.imports.map((i) => i.importId),
      [firstId],
    );
    const done = await finished(stack, firstId);
    assert.equal(done.delivered, 40);
    assert.deepEqual(await saltoUsersByEmail(stack, BERLIN.siteId, second.email), []);

    const accepted = await upload(stack, secondFile, 'application/x-ndjson', 'second.ndjson');
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.equal((await finished(stack, accepted.body.importId!)).delivered, 1);
    await waitForSaltoGroups(stack, BERLIN.siteId, second.email, GROUPS.deskBerlin, 60_000);
  });
});
