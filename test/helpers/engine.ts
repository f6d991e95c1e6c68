// The access engine on the time-skipping test server: real workflows, real activities, and the
// SALTO KS simulator over real HTTP, so tests assert what reached SALTO KS while durable timers
// (billing midnights, reservation windows) pass in seconds.
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { PersonEvent } from '../../src/core/person-events';
import type { Setup } from '../../src/core/types';
import { CATCH_UP_DELAY_MS, CATCH_UP_LOOKBACK_MS } from '../../src/core/setup-fan-out';
import { createSaltoConnection, InMemoryTokenStore, silentSaltoLogger } from '../../src/salto';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SITE_BERLIN_ID,
  DEMO_SEED,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import type { SimStateView } from '../../src/simulator';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import {
  personWorkflowId,
  RESERVATION_WORKFLOW_TYPE,
  reservationWorkflowId,
  SETUP_WORKFLOW_ID,
  SETUP_WORKFLOW_TYPE,
} from '../../src/shared/ids';
import { signalPersonWithStart } from '../../src/shared/person-signal';
import { personStartSource, reservationStartSource, setupForStarts } from '../../src/api/person-start';
import { DEMO_EMAIL_LOOKUP_KEY } from '../../src/shared/email-lookup';
import { CenterIdsKey } from '../../src/shared/search-attributes';
import type { PersonStart } from '../../src/workflows/person';
import type { ReservationStart } from '../../src/workflows/reservation';
import {
  getSetupQuery,
  personAccessQuery,
  reservationEventSignal,
  reservationStateQuery,
  setCenterSiteUpdate,
  setPolicyUpdate,
  setProductGroupsUpdate,
  setUnitGroupsUpdate,
  type PersonAccessView,
  type PolicyChange,
  type ReservationEvent,
  type ReservationView,
} from '../../src/workflows/messages';
import { workflowTaskOpen } from './history-events';
import { timeSkippingWorkflowBundle, workflowBundle, type WorkflowCode } from './stack';
import { reportHeldClock, reportWhileStalled, testServerClockHolds } from './stalled-skip';
import { createDevServerEnv, createTimeSkippingEnv } from './temporal-env';
import { testDataConverter } from './test-data-converter';
import { workerTuning } from '../../src/runtime/worker-tuning';
import { personViewNow, reservationViewNow } from '../../src/api/reservation-states-now';

export {
  DEMO_SITE_BERLIN_ID as BERLIN_SITE,
  DEMO_SITE_BROOKLYN_ID as BROOKLYN_SITE,
} from '../../src/simulator/demo-seed';

export interface SimUser {
  siteUserId: string;
  platformUserId: string;
  email: string;
  firstName: string;
  lastName: string;
  alias: string | null;
  blocked: boolean;
  groups: string[];
}

export interface Engine {
  env: TestWorkflowEnvironment;
  client: Client;
  sim: RunningSimulator;
  taskQueue: string;
  worker: Worker;
  /** Server time (skips with the test server). */
  now(): Promise<number>;
  mapCenter(centerId: string, saltoSiteId: string, timeZone: string): Promise<Setup>;
  mapProduct(centerId: string, productId: string, groups: string[]): Promise<Setup>;
  mapUnit(centerId: string, unitId: string, groups: string[]): Promise<Setup>;
  setPolicy(change: PolicyChange): Promise<Setup>;
  setup(): Promise<Setup>;
  /** Signal-with-start of the person; `start`: what the webhook sends with it (PersonStart). */
  tellPerson(personId: string, event: PersonEvent, start?: PersonStart): Promise<void>;
  /** What the webhook would send with `event` now (src/api/person-start.ts, the set-up read afresh). */
  personStart(event: PersonEvent): Promise<PersonStart | undefined>;
  /** Signal-with-start of the reservation; `start`: what the webhook sends with it (ReservationStart). */
  tellReservation(reservationId: string, event: ReservationEvent, start?: ReservationStart): Promise<void>;
  /** What the webhook would send with a reservation `event` now (the set-up read afresh). */
  reservationStart(event: ReservationEvent): Promise<ReservationStart | undefined>;
  /** The person's query: desired and applied groups, why, in sync, last error. */
  access(personId: string): Promise<PersonAccessView>;
  /** Waits until a workflow has nothing in flight: no workflow task, no activity, a quiet history. */
  settled(workflowId: string): Promise<void>;
  reservation(reservationId: string): Promise<ReservationView>;
  /** The SALTO KS user with this e-mail on a site, as the simulator holds it (null if none). */
  saltoUser(siteId: string, email: string): Promise<SimUser | null>;
  saltoUsers(siteId: string): Promise<SimUser[]>;
  /** Stops the worker and starts one on the product's code, which replays and continues every workflow. */
  continueOnProductCode(): Promise<void>;
  /** Polls (in real time; the server clock does not skip meanwhile) until check passes. */
  eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  /**
   * Lets server time pass (skipping); says what is in flight when that takes long in real time, and
   * on the test server gives back a hold of its clock that nothing open explains (stalled-skip.ts).
   */
  advance(ms: number): Promise<void>;
  /**
   * Says on stderr, naming `after`, when the server's clock is held: a skip of 1 s of server time
   * that takes over 2 s of real time. sdk-java's test server can leak a hold (stalled-skip.ts);
   * checked after each case, it names the case that left one behind.
   */
  reportHeldClock(after: string): Promise<void>;
  /**
   * Lets server time pass the set-up's catch-up fan-out: 30 s after each change it tells every
   * person started up to 2 minutes before again. A person started after this is told nothing.
   */
  passSetupCatchUp(): Promise<void>;
  stop(): Promise<void>;
}

/** The demo seed's Berlin groups the workflow tests map: the flex plan's two, and room Spree's. */
export const FLEX = ['ag-berlin-coworking-floor', 'ag-berlin-main-entrance'];
export const SPREE = 'ag-berlin-meeting-room-spree';

export interface EngineOptions {
  /** WORKER_MAX_CACHED_WORKFLOWS of the worker (default: the product's default). */
  maxCachedWorkflows?: number;
  /**
   * `time-skipping` (default): sdk-java's test server, with the interceptor its defects need.
   * `dev`: the Temporal CLI's dev server and the product's own bundle, for what needs a real
   * server's handling of cancellations and no time skipping; `advance` then waits in real time.
   */
  server?: 'time-skipping' | 'dev';
  /** Interceptors of the worker: a test that must act at an exact point of an activity. */
  workerInterceptors?: WorkerOptions['interceptors'];
  /** Workflow interceptor modules bundled with the workflows (time-skipping server only). */
  workflowInterceptorModules?: string[];
  /**
   * Starts the worker on the workflows as they were before the patch `person-keeps-reservation-windows`
   * (dev server only); `continueOnProductCode` then puts the product's code in its place.
   */
  beforeWindowsPatch?: boolean;
  /**
   * Runs every person and reservation as a run started before the patch `activity-tasks-only`
   * runs on today's code: with local activities (test/helpers/before-activity-tasks-only.ts).
   */
  localActivityRuns?: boolean;
}

/** An engine with Berlin mapped to its site and the flex plan to its two groups: most tests' start. */
export async function startBerlinFlexEngine(options: EngineOptions = {}): Promise<Engine> {
  const engine = await startEngine(options);
  await engine.mapCenter('berlin', DEMO_SITE_BERLIN_ID, 'Europe/Berlin');
  await engine.mapProduct('berlin', 'flex', FLEX);
  return engine;
}

export async function startEngine(options: EngineOptions = {}): Promise<Engine> {
  const onDevServer = options.server === 'dev';
  if (onDevServer && options.workflowInterceptorModules?.length) {
    throw new Error(
      'workflowInterceptorModules: only the time-skipping engine bundles extra workflow interceptors',
    );
  }
  if (options.beforeWindowsPatch && options.localActivityRuns) {
    throw new Error('beforeWindowsPatch and localActivityRuns: a worker runs one of them, not both');
  }
  if (!onDevServer && options.beforeWindowsPatch) {
    // That server never moves a stopped worker's sticky tasks on to the next worker.
    throw new Error('beforeWindowsPatch: only the dev-server engine can change its workflow code');
  }
  const env = onDevServer ? await createDevServerEnv() : await createTimeSkippingEnv();
  const sim = await startSimulator({ port: 0, seed: DEMO_SEED });
  const taskQueue = 'engine-test';
  const salto = createSaltoConnection(
    {
      identityUrl: sim.url,
      apiUrl: sim.url,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      passwordCredentials: { username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD },
    },
    { tokenStore: new InMemoryTokenStore(), timeoutMs: 5000, logger: silentSaltoLogger },
  );
  const client = env.client;
  // The time-skipping server has no visibility: this harness stands in for it with the
  // workflows it started, filtered as the search attributes would filter them (the centers each
  // person published; sites from each person's own query). The list query itself is proven on
  // the dev server (test/e2e).
  const knownPeople = new Set<string>();
  const knownReservations = new Set<string>();
  const listedAs = async (personId: string, query: string): Promise<boolean> => {
    const centers = /DeskworksCenterIds IN \(([^)]*)\)/.exec(query);
    const site = /SaltoSiteIds = '([^']*)'/.exec(query);
    if (!centers && !site) return true;
    if (centers) {
      // By the centers the person published, as visibility lists them: not by its facts, which
      // are ahead of them while a pass runs.
      const wanted = [...centers[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
      const described = await client.workflow.getHandle(personWorkflowId(personId)).describe();
      return (described.typedSearchAttributes.get(CenterIdsKey) ?? []).some((c) => wanted.includes(c));
    }
    const view = await client.workflow.getHandle(personWorkflowId(personId)).query(personAccessQuery);
    const sites = new Set([
      ...Object.keys(view.saltoUsers),
      ...Object.keys(view.applied),
      ...Object.keys(view.desired),
    ]);
    return sites.has(site![1]!);
  };
  const startWorker = async (code: WorkflowCode): Promise<Worker> =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: onDevServer
        ? await workflowBundle(code)
        : await timeSkippingWorkflowBundle(options.workflowInterceptorModules, code),
      dataConverter: testDataConverter,
      ...workerTuning(options.maxCachedWorkflows),
      ...(options.workerInterceptors ? { interceptors: options.workerInterceptors } : {}),
      activities: createActivities({
        client: client,
        saltoClient: salto.client,
        taskQueue,
        defaultLeadMinutes: 15,
        defaultLagMinutes: 15,
        listWorkflowIds: async function* (query: string) {
          if (query.includes(RESERVATION_WORKFLOW_TYPE)) {
            for (const id of [...knownReservations].sort()) yield reservationWorkflowId(id);
          } else {
            for (const id of [...knownPeople].sort())
              if (await listedAs(id, query)) yield personWorkflowId(id);
          }
        },
      }),
    });
  let worker = await startWorker(
    options.beforeWindowsPatch
      ? 'before windows patch'
      : options.localActivityRuns
        ? 'runs with local activities'
        : 'product',
  );
  let running = worker.run();
  await client.workflow.start(SETUP_WORKFLOW_TYPE, {
    workflowId: SETUP_WORKFLOW_ID,
    taskQueue,
    args: [{ reservationLeadMinutes: 15, reservationLagMinutes: 15 }],
  });
  const setupHandle = client.workflow.getHandle(SETUP_WORKFLOW_ID);

  /**
   * The time-skipping server's continue-as-new is not atomic (sdk-java issue 1538): a signal sent
   * while a run continues as new can be refused as sent to a completed workflow, or its start found
   * already started. Deskworks would send it again; so does the test. The dev server takes it.
   */
  const acrossContinueAsNew = async <T>(send: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        const raced =
          err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError;
        if (onDevServer || !raced || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  const saltoUsers = async (siteId: string): Promise<SimUser[]> => {
    const res = await fetch(`${sim.url}/__sim/state`);
    const state = (await res.json()) as SimStateView;
    const site = state.sites.find((s) => s.id === siteId);
    if (!site) throw new Error(`no site ${siteId} in the simulator`);
    return site.users.map((u) => ({
      siteUserId: u.id,
      platformUserId: u.userId,
      email: u.email,
      firstName: u.first_name,
      lastName: u.last_name,
      alias: u.alias,
      blocked: u.blocked,
      groups: site.access_groups
        .filter((g) => g.members.includes(u.userId))
        .map((g) => g.id)
        .sort(),
    }));
  };

  const eventually = async <T>(
    check: () => Promise<T | undefined | false>,
    what: string,
    timeoutMs = 15_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined && value !== false) return value;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}${lastError ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  // A skip of server time, watched: when it runs long it says what is open, and on the test
  // server it gives back a hold the server leaked (test/helpers/stalled-skip.ts).
  const advance = async (ms: number): Promise<void> => {
    const workflowIds = () => [
      SETUP_WORKFLOW_ID,
      ...[...knownPeople].map(personWorkflowId),
      ...[...knownReservations].map(reservationWorkflowId),
    ];
    await reportWhileStalled(env.sleep(ms), `a skip of ${ms / 1000} s`, client, {
      workflowIds,
      ...(env.supportsTimeSkipping ? { holds: testServerClockHolds(env) } : {}),
    });
  };

  return {
    env,
    client: client,
    sim,
    taskQueue,
    get worker() {
      return worker;
    },
    now: () => env.currentTimeMs(),
    mapCenter: (centerId, saltoSiteId, timeZone) =>
      setupHandle.executeUpdate(setCenterSiteUpdate, {
        args: [{ centerId, saltoSiteId, timeZone, name: centerId }],
      }),
    mapProduct: (centerId, itemId, accessGroupIds) =>
      setupHandle.executeUpdate(setProductGroupsUpdate, { args: [{ centerId, itemId, accessGroupIds }] }),
    mapUnit: (centerId, itemId, accessGroupIds) =>
      setupHandle.executeUpdate(setUnitGroupsUpdate, { args: [{ centerId, itemId, accessGroupIds }] }),
    setPolicy: (change) => setupHandle.executeUpdate(setPolicyUpdate, { args: [change] }),
    setup: () => setupHandle.query(getSetupQuery),
    async tellPerson(personId, event, start) {
      knownPeople.add(personId);
      await acrossContinueAsNew(() => signalPersonWithStart(client, taskQueue, personId, event, start));
    },
    personStart: personStartSource({ client, emailSecret: DEMO_EMAIL_LOOKUP_KEY, maxAgeMs: 0 }),
    reservationStart: reservationStartSource(setupForStarts({ client, maxAgeMs: 0 })),
    async tellReservation(reservationId, event, start) {
      knownReservations.add(reservationId);
      if (event.type === 'snapshot') knownPeople.add(event.reservation.customer.id);
      await client.workflow.signalWithStart(RESERVATION_WORKFLOW_TYPE, {
        workflowId: reservationWorkflowId(reservationId),
        taskQueue,
        args: [{ reservationId, ...(start ? { start } : {}) }],
        signal: reservationEventSignal,
        signalArgs: [event],
      });
    },
    async settled(workflowId) {
      const handle = client.workflow.getHandle(workflowId);
      let lastLength = -1;
      await eventually(async () => {
        const d = await handle.describe();
        const busy =
          (d.raw.pendingActivities?.length ?? 0) > 0 ||
          Boolean(d.raw.pendingWorkflowTask) ||
          workflowTaskOpen((await handle.fetchHistory()).events ?? []);
        const quiet = !busy && d.historyLength === lastLength;
        lastLength = d.historyLength;
        if (!quiet) await new Promise((r) => setTimeout(r, 100));
        return quiet;
      }, `${workflowId} to settle`);
    },
    // As the admin API shows them: the states at the server's current time.
    access: async (personId) =>
      personViewNow(
        await client.workflow.getHandle(personWorkflowId(personId)).query(personAccessQuery),
        await env.currentTimeMs(),
      ),
    reservation: async (id) =>
      reservationViewNow(
        await client.workflow.getHandle(reservationWorkflowId(id)).query(reservationStateQuery),
        await env.currentTimeMs(),
      ),
    saltoUsers,
    async saltoUser(siteId, email) {
      return (await saltoUsers(siteId)).find((u) => u.email.toLowerCase() === email.toLowerCase()) ?? null;
    },
    eventually,
    advance,
    async reportHeldClock(after) {
      await reportHeldClock(env, after);
    },
    async passSetupCatchUp() {
      await advance(CATCH_UP_DELAY_MS + CATCH_UP_LOOKBACK_MS + 60_000);
    },
    async continueOnProductCode() {
      worker.shutdown();
      await running;
      worker = await startWorker('product');
      running = worker.run();
    },
    async stop() {
      worker.shutdown();
      await running;
      await sim.close();
      await env.teardown();
    },
  };
}
