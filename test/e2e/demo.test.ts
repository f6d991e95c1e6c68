// The demo a newcomer sees, end to end: the loader `npm start` runs (maps the set-up through the
// admin API, sends signed events through the webhook) and the `npm run demo:events` command
// line, against the whole product. Every check reads what reached the SALTO KS simulator.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_CENTER_BERLIN, DEMO_CENTER_BROOKLYN } from '../../src/demo/demo-data';
import { loadDemoOnce, type DemoLoaded } from '../../src/demo/load-demo';
import {
  DEMO_SITE_BERLIN_ID,
  DEMO_SITE_BROOKLYN_ID,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { ADMIN_TOKEN, startStack, WEBHOOK_SECRET, type Stack } from '../helpers/stack';
import { saltoState, saltoUsersByEmail, usersByEmail, waitForSaltoGroups } from './e2e-support';

const CLI = join(__dirname, '..', '..', 'src', 'demo', 'demo-events-main.js');

const BERLIN_HOT_DESK = ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance'];
const BERLIN_PRIVATE_OFFICE = [...BERLIN_HOT_DESK, 'ag-berlin-private-offices'];
const BERLIN_SPREE_ROOM = ['ag-berlin-main-entrance', 'ag-berlin-meeting-room-spree'];
const BROOKLYN_STUDIO = ['ag-brooklyn-lobby', 'ag-brooklyn-studio'];

describe('the demo on the whole product', () => {
  let stack: Stack;
  let markerDir: string;
  let markerFile: string;
  let loaded: DemoLoaded | null;
  const loaderLines: string[] = [];

  const loadOnce = (lines: string[]) =>
    loadDemoOnce({
      markerFile,
      target: { apiUrl: stack.apiUrl, webhookSecret: WEBHOOK_SECRET, adminToken: ADMIN_TOKEN },
      saltoSignIn: { username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD },
      log: (line) => lines.push(line),
      readyTimeoutMs: 20_000,
    });

  before(async () => {
    // Not signed into SALTO KS: the loader signs in as `npm start` lets it.
    stack = await startStack({ connectSalto: false });
    markerDir = mkdtempSync(join(tmpdir(), 'demo-e2e-'));
    markerFile = join(markerDir, 'demo-loaded.json');
    loaded = await loadOnce(loaderLines);
  });

  after(async () => {
    await stack?.stop();
    if (markerDir) rmSync(markerDir, { recursive: true, force: true });
  });

  /** Runs `npm run demo:events -- …` as a newcomer would, pointed at the stack by environment. */
  function demoEvents(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: {
          ...process.env,
          DEMO_API_URL: stack.apiUrl,
          DESKWORKS_WEBHOOK_SECRET: WEBHOOK_SECRET,
          ADMIN_TOKEN,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('the loader maps both centers and its members reach SALTO KS with their plans’ groups', async () => {
    assert.ok(loaded, 'the first run loads');
    assert.ok(existsSync(markerFile), 'the marker file is written');
    assert.deepEqual((JSON.parse(readFileSync(markerFile, 'utf8')) as DemoLoaded).persons, loaded.persons);
    assert.ok(
      loaderLines.some((l) => l.startsWith('SALTO KS: signed in')),
      loaderLines.join('\n'),
    );
    assert.ok(
      loaderLines.some((l) => l.startsWith('mapped center Berlin Mitte')),
      loaderLines.join('\n'),
    );

    const setup = (await stack.api('GET', '/api/setup')).body as {
      centers: { id: string; saltoSiteId: string; timeZone: string }[];
    };
    const centers = setup.centers.map((c) => [c.id, c.saltoSiteId, c.timeZone]);
    assert.deepEqual(centers, [
      [DEMO_CENTER_BERLIN, DEMO_SITE_BERLIN_ID, 'Europe/Berlin'],
      [DEMO_CENTER_BROOKLYN, DEMO_SITE_BROOKLYN_ID, 'America/New_York'],
    ]);

    const anna = await waitForSaltoGroups(
      stack,
      DEMO_SITE_BERLIN_ID,
      'anna.schmidt@example.com',
      BERLIN_HOT_DESK,
    );
    assert.equal(anna.alias, 'deskworks:m-anna');
    await waitForSaltoGroups(stack, DEMO_SITE_BERLIN_ID, 'ben.okafor@example.com', BERLIN_PRIVATE_OFFICE);
    // The co-member inherits Ben's plan.
    const carla = await waitForSaltoGroups(
      stack,
      DEMO_SITE_BERLIN_ID,
      'carla.okafor@example.com',
      BERLIN_PRIVATE_OFFICE,
    );
    assert.equal(carla.alias, 'deskworks:m-carla');
    // Two centers, two sites; the same platform user (one per e-mail across the account).
    const danaBerlin = await waitForSaltoGroups(
      stack,
      DEMO_SITE_BERLIN_ID,
      'dana.reyes@example.com',
      BERLIN_HOT_DESK,
    );
    const danaBrooklyn = await waitForSaltoGroups(
      stack,
      DEMO_SITE_BROOKLYN_ID,
      'dana.reyes@example.com',
      BROOKLYN_STUDIO,
    );
    assert.equal(danaBerlin.userId, danaBrooklyn.userId);

    // Not yet: Eli's billing starts next week, Frida's reservation window opens in two minutes.
    const state = await saltoState(stack);
    for (const email of ['eli.novak@example.com', 'frida.lind@example.com']) {
      for (const siteId of [DEMO_SITE_BERLIN_ID, DEMO_SITE_BROOKLYN_ID]) {
        assert.deepEqual(usersByEmail(state, siteId, email), [], `${email} has no SALTO KS user yet`);
      }
    }
    const frida = await stack.api('GET', '/api/reservations/r-frida-spree');
    assert.equal((frida.body as { state: string }).state, 'scheduled');
  });

  it('a second run finds the marker and loads nothing', async () => {
    const lines: string[] = [];
    const usersBefore = await saltoState(stack);
    assert.equal(await loadOnce(lines), null);
    assert.match(lines.join('\n'), /already loaded/);
    assert.deepEqual(await saltoState(stack), usersBefore);
  });

  it('demo:events commands send signed events that reach SALTO KS', async () => {
    const email = 'cli.member@example.com';
    const created = await demoEvents('member-created', '--id', 'm-cli', '--email', email);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /member\.created evt_\S+ accepted \(202\)/);
    await waitForSaltoGroups(stack, DEMO_SITE_BERLIN_ID, email, BERLIN_HOT_DESK);

    const upgraded = await demoEvents(
      'billing',
      'm-cli',
      '--billing-id',
      'b-m-cli-1',
      '--product',
      'p-private-office',
      '--update',
    );
    assert.equal(upgraded.code, 0, upgraded.stderr);
    await waitForSaltoGroups(stack, DEMO_SITE_BERLIN_ID, email, BERLIN_PRIVATE_OFFICE);

    const deactivated = await demoEvents('deactivate', 'm-cli');
    assert.equal(deactivated.code, 0, deactivated.stderr);
    await waitForSaltoGroups(stack, DEMO_SITE_BERLIN_ID, email, []);

    // Started five minutes ago: inside its window, so the guest gets the room at once.
    const guest = 'cli.guest@example.com';
    const booked = await demoEvents(
      'reservation',
      '--in-minutes',
      '-5',
      '--for-minutes',
      '30',
      '--email',
      guest,
    );
    assert.equal(booked.code, 0, booked.stderr);
    await waitForSaltoGroups(stack, DEMO_SITE_BERLIN_ID, guest, BERLIN_SPREE_ROOM);

    const status = await demoEvents('status', 'm-cli');
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { personId: string }).personId, 'm-cli');
  });

  it('demo:events rejects a bad argument by name and sends nothing', async () => {
    const before = await saltoState(stack);
    const cases: [string[], RegExp][] = [
      [['reservation', '--in-minutes', 'soon'], /--in-minutes must be a whole number/],
      [['member-created', '--email', 'not-an-email'], /--email must be an e-mail address/],
      [['member-created', '--start-date', '2026-02-30'], /--start-date must be a calendar date/],
      [['deactivate'], /deactivate needs MEMBER_ID/],
      [['reservation', '--room', 'x'], /unknown option --room/],
      [['teleport'], /unknown command "teleport"/],
    ];
    for (const [args, message] of cases) {
      const run = await demoEvents(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    const help = await demoEvents('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /member-created/);
    assert.deepEqual(await saltoState(stack), before, 'SALTO KS unchanged');
    assert.deepEqual(await saltoUsersByEmail(stack, DEMO_SITE_BERLIN_ID, 'not-an-email'), []);
  });
});
