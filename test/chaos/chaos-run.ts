// `npm run chaos`: the whole product as separate processes (the dev server on a SQLite file, two
// workers, the API, the SALTO KS simulator) under faults, fed a stream of Deskworks events, and
// compared with the independent model at every second and at the end. See docs/chaos.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { DeskworksEvent } from '../../src/api/deskworks-events';
import { personWorkflowId, reconcileWorkflowId } from '../../src/shared/ids';
import { temporal as proto } from '@temporalio/proto';
import { quantiles } from './quantiles';
import { tallyWorkflowTasks, type TaskTally } from './task-tally';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SITE_BERLIN_ID,
  DEMO_SITE_BROOKLYN_ID,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import type { FaultSettings, SimStateView } from '../../src/simulator';
import { callAdminApi, retryAfterSeconds, sendSignedEvent } from '../helpers/http-calls';
import { changeSaltoByHand } from '../helpers/salto-by-hand';
import { setSimulatorFaults } from '../helpers/simulator-faults';
import { CpuLedger } from './cpu-ledger';
import { TEST_PAYLOAD_KEYS_TEXT, testDataConverter } from '../helpers/test-data-converter';
import { WorkerProcesses, type WorkerProcess } from '../helpers/worker-processes';
import { AccessModel } from '../model/model';
import { ChaosObserver, saltoHoldings, type FinalComparison, type LateRevocation } from './chaos-observer';
import { DevServer, freePort, ProductProcess } from './chaos-processes';
import { ChaosStream, STREAM_FIRST_NAME, STREAM_LAST_NAME, type ChaosCenter } from './chaos-stream';
import { eventsAbout, lateProfile, personIdOfEmail, type LateProfile, type SentEvent } from './late-profile';
import { PersonalDataScan, type PersonalDataHit } from './personal-data-scan';

export interface ChaosOptions {
  events: number;
  /** Events per second. */
  rate: number;
  seed: number;
  workers: number;
  /** A worker is killed with `kill -9` (and another started) this often; 0: never. */
  killEverySeconds: number;
  /** How long the Temporal dev server stays stopped; 0: it is not stopped. */
  temporalOutageSeconds: number;
  /** A hand edit in SALTO KS this often; 0: none. */
  handEditEverySeconds: number;
  /** WORKER_MAX_CACHED_WORKFLOWS of the workers. */
  workerCache: number;
  /** SALTO_KS_QUICK_RETRIES of the API and the workers. */
  quickRetries: number;
  /** The dev server's SQLite waits for the disk at every commit (synchronous=FULL), as before 0.5.0. */
  fsyncEveryCommit: boolean;
  /** Progress lines on stderr. */
  log: (line: string) => void;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'log'>;
  events: {
    sent: number;
    accepted: number;
    retried: number;
    byKind: Record<string, number>;
    retriedBecause: Record<string, number>;
  };
  lostGrants: number;
  missedRevocations: number;
  /** Revocations more than 10 s after their instant, not counting those due during the Temporal outage. */
  lateRevocations: number;
  lateRevocationsMaxMs: number;
  /** When in the run the late revocations were due, and how many followed an event about their person. */
  lateProfile: LateProfile;
  /** Due while Temporal was stopped: nothing can act then; reported, not counted as a failure. */
  lateDuringTemporalOutage: number;
  lateDuringTemporalOutageMaxMs: number;
  duplicateUsers: number;
  drift: number;
  outOfSyncPerPersonMs: { p50: number; p99: number; max: number; people: number };
  grantDelayMs: { p50: number; p99: number; max: number; count: number };
  revocationDelayMs: { p50: number; p99: number; max: number; count: number };
  workerKills: number;
  apiRestarts: number;
  temporalOutages: number;
  handEdits: number;
  samples: number;
  wallSeconds: number;
  passed: boolean;
  /** For every person concerned by a bold count: what differed and the events sent about them. */
  concerned: { email: string; problems: string[]; events: string[]; timeline?: string[] }[];
  /** What the API logged for the events it answered 500 (the first 20): no answer should be one. */
  apiInternalErrors: string[];
  /** Names, e-mails or secrets found in the product's logs or Temporal's database, and what was searched. */
  personalData: { hits: PersonalDataHit[]; searchedBytes: Record<string, number> };
  /** CPU seconds by part of the run, and how many processes each part had (workers come back after kills). */
  cpu: ReturnType<CpuLedger['totals']>;
  /** Workflow tasks, their timeouts, activities and signals, from every workflow's history. */
  tasks: TaskTally | null;
  /** A failed run keeps its folder (the dev server's database, the workers' logs) to look into. */
  keptDir?: string;
}

const WEBHOOK_SECRET = 'chaos-webhook-secret-0123456789abcdef';
/** As a webhook sender, the driver gives up on a call after this long and retries it. */
const SEND_TIMEOUT_MS = 30_000;
const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';
const DOMAIN = 'chaos.example';
const NAMESPACE = 'default';
const TASK_QUEUE = 'access-sync';

/** The run's set-up: two centers of the demo's SALTO KS account, with plans and rooms. */
const CENTERS: (ChaosCenter & {
  site: string;
  productGroups: Record<string, string[]>;
  unitGroups: Record<string, string[]>;
})[] = [
  {
    id: 'berlin',
    timeZone: 'Europe/Berlin',
    site: DEMO_SITE_BERLIN_ID,
    products: ['flex', 'office'],
    units: ['room-spree', 'room-havel'],
    productGroups: {
      flex: ['ag-berlin-main-entrance', 'ag-berlin-coworking-floor'],
      office: ['ag-berlin-main-entrance', 'ag-berlin-private-offices'],
    },
    unitGroups: { 'room-spree': ['ag-berlin-meeting-room-spree'], 'room-havel': ['ag-berlin-main-entrance'] },
  },
  {
    id: 'brooklyn',
    timeZone: 'America/New_York',
    site: DEMO_SITE_BROOKLYN_ID,
    products: ['desk'],
    units: ['studio'],
    productGroups: { desk: ['ag-brooklyn-lobby', 'ag-brooklyn-open-desks'] },
    unitGroups: { studio: ['ag-brooklyn-studio'] },
  },
];

/** 10 % 5xx, 5 % 429 with Retry-After, 1 % hanging past the client's timeout, 0–300 ms latency. */
const SALTO_FAULTS: FaultSettings = {
  errors: [
    { status: 500, fraction: 0.1 },
    { status: 429, fraction: 0.05 / 0.9, retryAfterSeconds: 1 },
  ],
  latencyMs: 0,
  latencyMaxMs: 300,
  hangs: { fraction: 0.01, ms: 8_000 },
};
/** The workers' SALTO KS request timeout: a hang costs this, then the retry. */
const SALTO_REQUEST_TIMEOUT_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const cpu = new CpuLedger();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-'));
  let keepDir = false;
  const [temporalPort, apiPort, simPort] = [await freePort(), await freePort(), await freePort()];
  const temporal = new DevServer(temporalPort, join(dir, 'temporal.sqlite'), o.fsyncEveryCommit);
  const sim = new ProductProcess('simulator', 'simulator-main.js', simPort, {
    SALTO_SIMULATOR_PORT: String(simPort),
  });
  const saltoEnv = {
    SALTO_KS_IDENTITY_URL: sim.url,
    SALTO_KS_API_URL: sim.url,
    SALTO_KS_CLIENT_ID: DEMO_CLIENT_ID,
    SALTO_KS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SALTO_KS_CONNECTION_KEY: 'chaos-connection-key-0123456789abcdef',
    SALTO_KS_REQUEST_TIMEOUT_MS: String(SALTO_REQUEST_TIMEOUT_MS),
    SALTO_KS_QUICK_RETRIES: String(o.quickRetries),
  };
  const api = new ProductProcess('api', 'api-main.js', apiPort, {
    PORT: String(apiPort),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    PAYLOAD_ENCRYPTION_KEYS: TEST_PAYLOAD_KEYS_TEXT,
    DESKWORKS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ADMIN_TOKEN,
    ADMIN_SIGNED_OUT_SESSIONS_FILE: join(dir, 'signed-out.json'),
    SALTO_KS_CONNECTION_FILE: join(dir, 'api-salto-connection.enc'),
    IMPORT_STAGING_DIR: join(dir, 'imports'),
    ...saltoEnv,
  });
  const workers = new WorkerProcesses({
    temporalAddress: temporal.address,
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    saltoUrl: sim.url,
    importStagingDir: join(dir, 'imports'),
    env: {
      SALTO_KS_REQUEST_TIMEOUT_MS: String(SALTO_REQUEST_TIMEOUT_MS),
      SALTO_KS_QUICK_RETRIES: String(o.quickRetries),
      WORKER_MAX_CACHED_WORKFLOWS: String(o.workerCache),
      // The run asks for its one reconciliation at the end; none by the clock before it.
      RECONCILE_INTERVAL_MINUTES: String(24 * 60),
    },
  });
  const stopping: (() => Promise<void>)[] = [];
  const started: WorkerProcess[] = [];
  const scan = new PersonalDataScan([
    { what: "a stream member's e-mail", value: `@${DOMAIN}` },
    { what: "a stream member's first name", value: STREAM_FIRST_NAME },
    { what: "a stream member's last name", value: STREAM_LAST_NAME },
    { what: 'the webhook secret', value: WEBHOOK_SECRET },
    { what: 'the admin token', value: ADMIN_TOKEN },
    { what: 'the SALTO KS connection key', value: saltoEnv.SALTO_KS_CONNECTION_KEY },
    { what: 'the SALTO KS client secret', value: DEMO_CLIENT_SECRET },
    { what: 'the SALTO KS password', value: DEMO_SYSTEM_PASSWORD },
    { what: 'the payload key', value: TEST_PAYLOAD_KEYS_TEXT.slice(TEST_PAYLOAD_KEYS_TEXT.indexOf(':') + 1) },
  ]);
  api.watchOutput((text) => scan.scanText("the API's logs", text));
  temporal.watchOutput((text) => scan.scanText("the Temporal dev server's logs", text));
  let connection: Connection | null = null;
  try {
    o.log(`starting the dev server (${temporal.address}), the simulator, the API and ${o.workers} workers…`);
    await temporal.start();
    await sim.start();
    await api.start();
    for (let i = 0; i < o.workers; i++) started.push(await workers.start());
    cpu.start();
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter: testDataConverter });

    const admin = (method: string, path: string, body?: unknown) =>
      callAdminApi(api.url, ADMIN_TOKEN, method, path, body);
    const must = async (what: string, call: Promise<{ status: number; body: unknown }>) => {
      const answer = await call;
      if (answer.status >= 300) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    };

    // The set-up, as an operator makes it on the set-up page.
    await must(
      'POST /api/salto/connection',
      admin('POST', '/api/salto/connection', {
        grant: 'password',
        username: DEMO_SYSTEM_USER,
        password: DEMO_SYSTEM_PASSWORD,
      }),
    );
    const initial = (await (await fetch(`${sim.url}/__sim/state`)).json()) as SimStateView;
    const model = new AccessModel(
      Object.fromEntries(initial.sites.map((s) => [s.id, s.access_groups.map((g) => g.id)])),
      Object.fromEntries(CENTERS.map((c) => [c.id, c.timeZone])),
    );
    for (const c of CENTERS) {
      await must(
        `PUT center ${c.id}`,
        admin('PUT', `/api/setup/centers/${c.id}`, { saltoSiteId: c.site, name: c.id, timeZone: c.timeZone }),
      );
      model.mapCenter(c.id, c.site);
      for (const [kind, path, groups] of [
        ['products', 'products', c.productGroups],
        ['units', 'reservation-units', c.unitGroups],
      ] as const) {
        for (const [item, accessGroupIds] of Object.entries(groups)) {
          await must(
            `PUT ${path} ${item}`,
            admin('PUT', `/api/setup/centers/${c.id}/${path}/${item}`, { accessGroupIds }),
          );
          model.mapItem(kind, c.id, item, accessGroupIds);
        }
      }
    }
    await must(
      'PATCH /api/setup/policy',
      admin('PATCH', '/api/setup/policy', {
        reservationLeadMinutes: 1,
        reservationLagMinutes: 1,
        noAccessPolicy: 'keep',
      }),
    );
    model.setPolicy({ lead: 1, lag: 1, noAccess: 'keep' }, Date.now());

    const stream = new ChaosStream({ seed: o.seed, events: o.events, centers: CENTERS, domain: DOMAIN });
    const emails = new Set(stream.emails().map((e) => e.toLowerCase()));
    const observer = new ChaosObserver(model, sim.url, emails);

    // Watching, once a second, for the whole run.
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const started = Date.now();
        try {
          await observer.sample();
        } catch (err) {
          o.log(`observer: ${String(err)}`);
        }
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
    })();
    stopping.push(async () => {
      watching = false;
      await watcher;
    });

    await setSimulatorFaults(sim.url, SALTO_FAULTS);

    // Faults while the stream runs.
    const counts = { workerKills: 0, apiRestarts: 0, temporalOutages: 0, handEdits: 0 };
    let streamDone = false;
    const streamSeconds = o.events / o.rate;
    // A worker's kill and restart, and the Temporal stop and start, never overlap: a worker
    // started while Temporal is down could not report itself polling.
    let faultInProgress: Promise<void> = Promise.resolve();
    // A fault that cannot be undone (a worker or the dev server that does not come back) ends the
    // run with its error, after the stream stops, instead of crashing the process mid-stream.
    let faultFailure: Error | null = null as Error | null;
    const undoable = (fault: string, run: Promise<void>): Promise<void> =>
      run.catch((err: unknown) => {
        faultFailure ??= new Error(`${fault} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    const oneAtATime = (action: () => Promise<void>): Promise<void> => {
      const next = faultInProgress.then(action);
      faultInProgress = next.catch(() => undefined);
      return next;
    };
    const killer = undoable(
      'the worker kill and restart',
      (async () => {
        if (o.killEverySeconds <= 0) return;
        while (!streamDone) {
          await sleep(o.killEverySeconds * 1000);
          if (streamDone) return;
          await oneAtATime(async () => {
            const victim = stream.rng.pick(workers.all);
            cpu.sample();
            await workers.kill(victim);
            counts.workerKills++;
            // A worker always comes back: the run keeps its number of workers.
            for (let attempt = 1; ; attempt++) {
              try {
                started.push(await workers.start());
                return;
              } catch (err) {
                if (attempt >= 5) throw err;
                o.log(`a worker did not come back (${String(err)}); trying again`);
              }
            }
          });
        }
      })(),
    );
    const apiRestart = undoable(
      'the API kill and restart',
      (async () => {
        await sleep(streamSeconds * 0.35 * 1000);
        if (streamDone) return;
        o.log('the API is killed (kill -9) and started again');
        cpu.sample();
        await api.stop('SIGKILL');
        await sleep(2000);
        await api.start();
        counts.apiRestarts++;
      })(),
    );
    const outage = undoable(
      'the Temporal stop and restart',
      (async () => {
        if (o.temporalOutageSeconds <= 0) return;
        await sleep(streamSeconds * 0.55 * 1000);
        if (streamDone) return;
        await oneAtATime(async () => {
          o.log(`the Temporal dev server is stopped for ${o.temporalOutageSeconds} s`);
          const back = observer.outageBegins(Date.now());
          cpu.sample();
          await temporal.stop();
          await sleep(o.temporalOutageSeconds * 1000);
          await temporal.start();
          back(Date.now());
          counts.temporalOutages++;
        });
        o.log('the Temporal dev server is back');
      })(),
    );
    const handEdits = (async () => {
      if (o.handEditEverySeconds <= 0) return;
      while (!streamDone) {
        await sleep(o.handEditEverySeconds * 1000);
        if (streamDone) return;
        try {
          if (await handEdit(sim.url, stream.rng, emails, observer)) counts.handEdits++;
        } catch (err) {
          o.log(`hand edit: ${String(err)}`);
        }
      }
    })();

    // The stream, at its rate, retried the way Deskworks retries.
    const sentEvents: SentEvent[] = [];
    const tally = {
      sent: 0,
      accepted: 0,
      retried: 0,
      byKind: {} as Record<string, number>,
      retriedBecause: {} as Record<string, number>,
    };
    const inFlight = new Set<Promise<void>>();
    const deliver = async (event: DeskworksEvent, kind: string): Promise<void> => {
      tally.sent++;
      tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
      for (let attempt = 1; ; attempt++) {
        if (faultFailure !== null) return; // the run fails with it; no point retrying into a broken stack
        let status = 0;
        let retryAfter = 1;
        try {
          const res = await sendSignedEvent(api.url, event, WEBHOOK_SECRET, undefined, SEND_TIMEOUT_MS);
          status = res.status;
          retryAfter = retryAfterSeconds(res);
        } catch (err) {
          // The API is down (connection refused), or it did not answer in time.
          status = err instanceof Error && err.name === 'TimeoutError' ? -1 : 0;
        }
        if (status === 202 || status === 200) {
          model.deliver(event, Date.now());
          sentEvents.push({ at: Date.now(), event, kind });
          tally.accepted++;
          return;
        }
        if (status === 400 || status === 401 || status === 413 || status === 415)
          throw new Error(`the API refused a generated event (${status}): ${JSON.stringify(event)}`);
        tally.retried++;
        const why = status === 0 ? 'API down' : status === -1 ? 'no answer in 30 s' : String(status);
        tally.retriedBecause[why] = (tally.retriedBecause[why] ?? 0) + 1;
        // As Deskworks: after the Retry-After the API asked for (the API asks for at most 60 s).
        await sleep(Math.min(retryAfter, 120) * 1000);
      }
    };
    const intervalMs = 1000 / o.rate;
    const streamStart = Date.now();
    let failure: Error | null = null as Error | null;
    for (let i = 0; i < o.events && failure === null && faultFailure === null; i++) {
      const due = streamStart + i * intervalMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const item = stream.next(Date.now());
      const p = deliver(item.event, item.kind).catch((err: unknown) => {
        failure = err instanceof Error ? err : new Error(JSON.stringify(err));
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (i > 0 && i % Math.max(1, Math.round(o.rate * 30)) === 0)
        o.log(
          `${i}/${o.events} events sent, ${tally.accepted} accepted, ${tally.retried} retries, ${counts.workerKills} worker kills`,
        );
    }
    for (const item of stream.drain()) await deliver(item.event, item.kind);
    await Promise.all(inFlight);
    streamDone = true;
    await Promise.all([killer, apiRestart, outage, handEdits]);
    if (faultFailure !== null) throw faultFailure;
    if (failure !== null) throw failure;
    o.log(`stream done: ${tally.sent} events, ${tally.accepted} accepted, ${tally.retried} retries`);

    // Quiet, then one reconciliation; faults end with the stream.
    await setSimulatorFaults(sim.url, {});
    await client.workflow.execute('reconcileAllSitesWorkflow', {
      workflowId: reconcileWorkflowId(`chaos-${Date.now()}`),
      taskQueue: TASK_QUEUE,
    });
    o.log('reconciliation done; waiting for its repairs');
    let final: FinalComparison = await observer.finalComparison();
    const deadline = Date.now() + 180_000;
    while (
      Date.now() < deadline &&
      final.lostGrants.length + final.missedRevocations.length + final.duplicateUsers.length > 0
    ) {
      await sleep(2000);
      final = await observer.finalComparison();
    }
    await stopping.pop()!();
    observer.closeAll();
    cpu.stop();

    const late = observer.late.filter((l) => !l.duringOutage);
    const excused = observer.late.filter((l) => l.duringOutage);
    const report: ChaosReport = {
      options: {
        events: o.events,
        rate: o.rate,
        seed: o.seed,
        workers: o.workers,
        killEverySeconds: o.killEverySeconds,
        temporalOutageSeconds: o.temporalOutageSeconds,
        handEditEverySeconds: o.handEditEverySeconds,
        workerCache: o.workerCache,
        quickRetries: o.quickRetries,
        fsyncEveryCommit: o.fsyncEveryCommit,
      },
      events: tally,
      lostGrants: final.lostGrants.length,
      missedRevocations: final.missedRevocations.length,
      lateRevocations: late.length,
      lateRevocationsMaxMs: Math.max(0, ...late.map((l) => l.lateByMs)),
      lateProfile: lateProfile(late, t0, sentEvents, observer.outageWindows()),
      lateDuringTemporalOutage: excused.length,
      lateDuringTemporalOutageMaxMs: Math.max(0, ...excused.map((l) => l.lateByMs)),
      duplicateUsers: final.duplicateUsers.length,
      drift: final.drift,
      outOfSyncPerPersonMs: {
        ...quantiles([...observer.outOfSyncMs.values()]),
        people: observer.outOfSyncMs.size,
      },
      grantDelayMs: { ...quantiles(observer.grantDelaysMs), count: observer.grantDelaysMs.length },
      revocationDelayMs: {
        ...quantiles(observer.revocationDelaysMs),
        count: observer.revocationDelaysMs.length,
      },
      ...counts,
      samples: observer.samples,
      wallSeconds: Math.round((Date.now() - t0) / 1000),
      passed: false,
      concerned: concernedPeople(final, late, sentEvents),
      apiInternalErrors: api.internalErrors(),
      personalData: { hits: [], searchedBytes: {} },
      cpu: cpu.totals(),
      tasks: null,
    };
    for (const c of report.concerned) c.timeline = await personTimeline(client, c.email, late);
    o.log('reading every workflow history for the task tally');
    report.tasks = await tallyWorkflowTasks(client, TASK_QUEUE, t0);
    for (const w of started) scan.scanText("the workers' logs", w.output.join(''));
    scan.scanFiles("the Temporal dev server's database", dir, 'temporal.sqlite');
    report.personalData = { hits: scan.hits, searchedBytes: Object.fromEntries(scan.searched) };
    report.passed =
      report.lostGrants +
        report.missedRevocations +
        report.lateRevocations +
        report.duplicateUsers +
        report.drift +
        report.personalData.hits.length ===
      0;
    if (!report.passed) {
      // What it takes to look into a failure after the run: the dev server's database (start
      // `temporal server start-dev --db-filename` on it) and every worker's output.
      started.forEach((w, i) => writeFileSync(join(dir, `worker-${i + 1}.log`), w.output.join('')));
      keepDir = true;
      report.keptDir = dir;
    }
    return report;
  } finally {
    cpu.stop();
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await workers.stopAll().catch(() => undefined);
    await api.stop().catch(() => undefined);
    await sim.stop().catch(() => undefined);
    await temporal.stop().catch(() => undefined);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Someone in the SALTO KS app: removes a user from a group, adds one to a group, or deletes a user. */
async function handEdit(
  simUrl: string,
  rng: ChaosStream['rng'],
  emails: ReadonlySet<string>,
  observer: ChaosObserver,
): Promise<boolean> {
  const state = await observer.state();
  const site = rng.pick(state.sites);
  const users = site.users.filter((u) => emails.has(u.email.toLowerCase()));
  if (users.length === 0) return false;
  const user = rng.pick(users);
  const { groups } = saltoHoldings({ sites: [site] }, emails);
  const held = [...(groups.get(site.id)?.get(user.email.toLowerCase()) ?? [])];
  const what = rng.next();
  const call = async (method: string, path: string, body?: unknown) => {
    // The app goes through the same flaky gateway: it tries again, as a person would.
    for (let attempt = 1; ; attempt++) {
      try {
        await changeSaltoByHand(simUrl, method, path, body);
        return;
      } catch (err) {
        // Deleting what is already gone (the engine or an earlier try got there first) is done.
        if (method === 'DELETE' && err instanceof Error && / 404 /.test(err.message)) return;
        if (attempt >= 10) throw err;
        await sleep(500);
      }
    }
  };
  observer.handEdit(site.id, user.email);
  if (what < 0.4 && held.length > 0) {
    await call('DELETE', `/v1.2/sites/${site.id}/access_groups/${rng.pick(held)}/users/${user.userId}`);
  } else if (what < 0.8) {
    const other = site.access_groups.filter((g) => !held.includes(g.id));
    if (other.length === 0) return false;
    await call('POST', `/v1.2/sites/${site.id}/access_groups/${rng.pick(other).id}/users`, {
      user_id: user.userId,
    });
  } else {
    await call('DELETE', `/v1.2/sites/${site.id}/users/${user.id}`);
  }
  return true;
}

/** The people behind each failure, with the events sent about them: enough for a regression test. */
function concernedPeople(
  final: FinalComparison,
  late: LateRevocation[],
  sent: SentEvent[],
): ChaosReport['concerned'] {
  const problems = new Map<string, string[]>();
  const note = (email: string, line: string) => problems.set(email, [...(problems.get(email) ?? []), line]);
  for (const g of final.lostGrants) note(g.email, `lost grant: ${g.group} on ${g.site}`);
  for (const g of final.missedRevocations) note(g.email, `missed revocation: ${g.group} on ${g.site}`);
  for (const d of final.duplicateUsers) note(d.email, `${d.users} users on ${d.site}`);
  for (const l of late)
    note(
      l.email,
      `late revocation: ${l.group} on ${l.site}, due ${new Date(l.dueAt).toISOString()}, ${l.lateByMs} ms late`,
    );
  const about = eventsAbout(sent);
  return [...problems].slice(0, 20).map(([email, lines]) => {
    const events = about(personIdOfEmail(email)).map(
      ({ at, event, kind }) => `${new Date(at).toISOString()} ${kind}: ${JSON.stringify(event)}`,
    );
    return { email, problems: lines, events };
  });
}

/**
 * What the person's workflow did around each late revocation (from its history): workflow tasks,
 * timers, signals and activity attempts with their instants, so a delay can be told apart.
 */
async function personTimeline(client: Client, email: string, late: LateRevocation[]): Promise<string[]> {
  const mine = late.filter((l) => l.email === email);
  if (mine.length === 0) return [];
  const from = Math.min(...mine.map((l) => l.dueAt)) - 5000;
  const to = Math.max(...mine.map((l) => l.dueAt + l.lateByMs)) + 1000;
  const { EventType } = proto.api.enums.v1;
  try {
    const history = await client.workflow.getHandle(personWorkflowId(email.split('@')[0]!)).fetchHistory();
    return (history.events ?? [])
      .map((e) => {
        const at = optionalTsToMs(e.eventTime) ?? 0;
        const type = (EventType[e.eventType ?? 0] ?? '?').replace('EVENT_TYPE_', '');
        const detail =
          e.activityTaskScheduledEventAttributes?.activityType?.name ??
          (e.activityTaskStartedEventAttributes
            ? `attempt ${e.activityTaskStartedEventAttributes.attempt ?? 1} by ${e.activityTaskStartedEventAttributes.identity ?? '?'}`
            : undefined) ??
          e.activityTaskFailedEventAttributes?.failure?.message ??
          (e.workflowTaskStartedEventAttributes
            ? `by ${e.workflowTaskStartedEventAttributes.identity ?? '?'}`
            : undefined) ??
          e.workflowTaskTimedOutEventAttributes?.timeoutType?.toString() ??
          e.activityTaskTimedOutEventAttributes?.failure?.message ??
          '';
        return { at, line: `${new Date(at).toISOString()} ${type} ${detail}`.trim() };
      })
      .filter((e) => e.at >= from && e.at <= to)
      .map((e) => e.line);
  } catch (err) {
    return [`(history not read: ${String(err)})`];
  }
}
