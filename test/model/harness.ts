// One time-skipping Temporal test server, one worker (real workflows and activities) and one SALTO
// KS simulator over real HTTP, shared by every case of the model test. Each case gets fresh ids
// (a per-case prefix for people and reservations, per-case SALTO KS site ids), a fresh set-up
// workflow and a reset simulator; the previous case's workflows are terminated first.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { deliver, deliveryFor } from '../../src/api/event-router';
import {
  personStartSource,
  reservationStartSource,
  setupForStarts,
  type PersonStartSource,
  type ReservationStartSource,
  type SetupForStarts,
} from '../../src/api/person-start';
import { DEMO_EMAIL_LOOKUP_KEY } from '../../src/shared/email-lookup';
import type { DeskworksEvent } from '../../src/api/deskworks-events';
import { registerSearchAttributes } from '../../src/runtime/search-attributes-registration';
import {
  createSaltoConnection,
  InMemoryTokenStore,
  silentSaltoLogger,
  type SaltoClient,
} from '../../src/salto';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
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
import { InSyncKey } from '../../src/shared/search-attributes';
import {
  personAccessQuery,
  setCenterSiteUpdate,
  setPolicyUpdate,
  setProductGroupsUpdate,
  setUnitGroupsUpdate,
  type PersonAccessView,
  type PolicyChange,
} from '../../src/workflows/messages';
import { timeSkippingWorkflowBundle } from '../helpers/stack';
import { changeSaltoByHand } from '../helpers/salto-by-hand';
import { javaTestServerConnection } from '../helpers/java-test-server-connection';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { testDataConverter } from '../helpers/test-data-converter';
import { setupSaltoFailure } from '../../src/api/temporal-errors';

export const TASK_QUEUE = 'model-test';
const PROJECT_ROOT = join(__dirname, '..', '..', '..');
/** The SALTO KS client's request timeout here: the "timeout" fault answers slower than this. */
export const SALTO_TIMEOUT_MS = 800;
const LEAD_LAG_DEFAULT = { reservationLeadMinutes: 15, reservationLagMinutes: 15 };

export interface SeedSite {
  id: string;
  name: string;
  timeZone: string;
  groups: string[];
  users: { email: string; firstName: string; lastName: string }[];
}

export interface CaseIds {
  /** Every person id the case may use (the stand-in for visibility lists them all). */
  people: string[];
  reservations: string[];
}

export interface WorkflowSnapshot {
  /** workflow id → history length; absent when it does not exist. */
  lengths: Map<string, number>;
  busy: string[];
  /** Activities waiting for a retry (not running). */
  backingOff: string[];
  outOfSync: string[];
  running: string[];
}

/** The Temporal side (test server or worker) stopped answering: not a verdict about the engine. */
export class HarnessStuck extends Error {}

/** saltoUnavailable: SALTO KS could not be read (nothing changed), not a refusal by the rules. */
export type SetupAnswer = { ok: true } | { ok: false; message: string; saltoUnavailable: boolean };

export interface HarnessOptions {
  /**
   * Start the test server with the JVM's full JIT (the project's launcher stops at C1, which
   * starts fastest): worth it for long runs.
   */
  fullJit?: boolean;
}

/** The project's test-server launcher without `-XX:TieredStopAtLevel=1` (null: use the default). */
function fullJitLauncher(): string | null {
  try {
    const manifest = JSON.parse(
      readFileSync(join(PROJECT_ROOT, '.temporal-bin', 'manifest.json'), 'utf8'),
    ) as {
      testServer?: { path?: string | null };
    };
    const launcher = manifest.testServer?.path;
    if (!launcher) return null;
    const script = readFileSync(launcher, 'utf8');
    if (!script.includes('-XX:TieredStopAtLevel=1')) return null;
    const path = join(tmpdir(), `model-test-server-${process.pid}.sh`);
    writeFileSync(
      path,
      script.replace('-XX:TieredStopAtLevel=1 ', '').replace('-XX:+UseSerialGC', '-XX:+UseParallelGC'),
    );
    chmodSync(path, 0o755);
    return path;
  } catch {
    return null;
  }
}

/** A delivery that races a continue-as-new on the time-skipping server goes again (deliver). */
const DELIVERY_ATTEMPTS = 3;
export class ModelHarness {
  private ids: CaseIds = { people: [], reservations: [] };
  private extraWorkflows: string[] = [];
  private reconcileCount = 0;
  private latencyTimer: NodeJS.Timeout | null = null;
  private personStart: PersonStartSource | null = null;
  private reservationStart: ReservationStartSource | null = null;
  private sharedSetupRead: SetupForStarts | null = null;
  /** One read of the set-up for both kinds of start, as the webhook shares it. */
  private setupForStarts(): SetupForStarts {
    return (this.sharedSetupRead ??= setupForStarts({ client: this.client }));
  }
  private env!: TestWorkflowEnvironment;
  private worker!: Worker;
  private running!: Promise<void>;

  private constructor(
    readonly sim: RunningSimulator,
    private readonly saltoClient: SaltoClient,
    private readonly options: HarnessOptions,
  ) {}

  get client(): Client {
    return this.env.client;
  }

  static async start(options: HarnessOptions = {}): Promise<ModelHarness> {
    const sim = await startSimulator({ port: 0, seed: { clients: {}, sites: [] } });
    const salto = createSaltoConnection(
      {
        identityUrl: sim.url,
        apiUrl: sim.url,
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        passwordCredentials: { username: DEMO_SYSTEM_USER, password: DEMO_SYSTEM_PASSWORD },
      },
      { tokenStore: new InMemoryTokenStore(), timeoutMs: SALTO_TIMEOUT_MS, logger: silentSaltoLogger },
    );
    const harness = new ModelHarness(sim, salto.client, options);
    await harness.startTemporal();
    return harness;
  }

  /** A fresh test server and worker (the simulator stays): the test server keeps every history in memory. */
  async restartTemporal(): Promise<void> {
    ignoreCallsOnClosedChannels();
    await this.endCase(this.lastCaseQuiet).catch(() => undefined);
    this.ids = { people: [], reservations: [] };
    await this.stopTemporal();
    await this.startTemporal();
  }

  private async startTemporal(): Promise<void> {
    const launcher = this.options.fullJit ? fullJitLauncher() : null;
    this.env = launcher
      ? await TestWorkflowEnvironment.createTimeSkipping({
          server: { executable: { type: 'existing-path', path: launcher } },
          client: { dataConverter: testDataConverter },
          plugins: [javaTestServerConnection],
        })
      : await createTimeSkippingEnv();
    if (launcher) await registerSearchAttributes(this.env.connection, this.env.namespace ?? 'default');
    // Faults are injected on purpose here: the worker's WARN lines about failed activities would
    // bury the report. test/helpers/temporal-env.ts installed the runtime's logger; raise its level.
    const logger = Runtime.instance().logger;
    if (logger instanceof DefaultLogger) Object.assign(logger, { severity: 4 /* ERROR */ });
    const harnessIds = (): CaseIds => this.ids;
    this.worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await timeSkippingWorkflowBundle(),
      dataConverter: testDataConverter,
      activities: createActivities({
        client: this.env.client,
        saltoClient: this.saltoClient,
        taskQueue: TASK_QUEUE,
        defaultLeadMinutes: 15,
        defaultLagMinutes: 15,
        // The time-skipping server has no visibility: this case's people and reservations stand in.
        // eslint-disable-next-line @typescript-eslint/require-await -- an in-memory list
        listWorkflowIds: async function* (this: void, query: string) {
          const ids = harnessIds();
          if (query.includes(RESERVATION_WORKFLOW_TYPE)) {
            for (const id of [...ids.reservations].sort()) yield reservationWorkflowId(id);
          } else {
            for (const id of [...ids.people].sort()) yield personWorkflowId(id);
          }
        },
      }),
    });
    this.workerError = null;
    this.running = this.worker.run().catch((err: unknown) => {
      this.workerError = err instanceof Error ? err : new Error(String(err));
    });
  }

  private workerError: Error | null = null;

  private async stopTemporal(): Promise<void> {
    try {
      this.worker.shutdown();
    } catch {
      // already stopped
    }
    // A worker stuck on an activation may never finish shutting down: the server goes anyway.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 10_000))]);
    await this.env.teardown();
  }

  /**
   * Fails with HarnessStuck when the Temporal side stops answering (a call that never returns, the
   * worker gone): the case is then not a verdict about the engine, and the harness starts afresh.
   */
  async guard<T>(what: string, promise: Promise<T>, ms = 60_000): Promise<T> {
    if (this.workerError) throw new HarnessStuck(`the worker stopped: ${this.workerError.message}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new HarnessStuck(`${what} did not return within ${ms / 1000} s`)),
            ms,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  /** Server time passes (skipping timers, not running activities). */
  async sleep(ms: number): Promise<void> {
    if (ms > 0) await this.guard('letting server time pass', this.env.sleep(ms));
  }

  // ---- cases --------------------------------------------------------------------------------------

  /** The workflows a case watches: its people, its reservations and its set-up. */
  private caseWorkflowIds(): string[] {
    return [
      SETUP_WORKFLOW_ID,
      ...this.ids.people.map(personWorkflowId),
      ...this.ids.reservations.map(reservationWorkflowId),
    ];
  }

  /** Ends the previous case (terminates its workflows) and resets SALTO KS for a fresh one. */
  async beginCase(ids: CaseIds, sites: SeedSite[]): Promise<void> {
    await this.endCase(this.lastCaseQuiet);
    this.lastCaseQuiet = false;
    this.ids = ids;
    this.extraWorkflows = [];
    this.tails.clear();
    this.pendingSince.clear();
    await this.post('/__sim/reset', {
      clients: { [DEMO_CLIENT_ID]: DEMO_CLIENT_SECRET },
      systemUsers: { [DEMO_SYSTEM_USER]: DEMO_SYSTEM_PASSWORD },
      tokenTtlSeconds: 3600,
      sites: sites.map((s) => ({
        id: s.id,
        name: s.name,
        time_zone: s.timeZone,
        access_groups: s.groups.map((g) => ({ id: g, name: g })),
        users: s.users.map((u) => ({ email: u.email, first_name: u.firstName, last_name: u.lastName })),
      })),
    });
  }

  /**
   * A fresh set-up workflow for the case (after the server time was moved to the case's start).
   * The previous case's is terminated in endCase, but a termination the test server failed (it
   * was stuck, and restarted during the next case: run of 2026-12-04, case 1373) leaves it running;
   * it is terminated again here rather than failing the case.
   */
  async startSetup(): Promise<void> {
    const start = () =>
      this.client.workflow.start(SETUP_WORKFLOW_TYPE, {
        workflowId: SETUP_WORKFLOW_ID,
        taskQueue: TASK_QUEUE,
        args: [LEAD_LAG_DEFAULT],
      });
    try {
      await start();
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await this.client.workflow
        .getHandle(SETUP_WORKFLOW_ID)
        .terminate('model test: left over from the previous case');
      await start();
    }
  }

  /** Set by a case that ended with the engine quiet: nothing is in flight that could start a workflow again. */
  lastCaseQuiet = false;

  /**
   * Terminates every workflow of the current case; twice unless it ended quiet, since an activity
   * still in flight may start one again.
   */
  async endCase(quiet = false): Promise<void> {
    this.clearLatencyTimer();
    const ids = [...this.caseWorkflowIds(), ...this.extraWorkflows];
    for (let sweep = 0; sweep < (quiet ? 1 : 2); sweep++) {
      await Promise.all(
        ids.map(async (id) => {
          try {
            await this.client.workflow.getHandle(id).terminate('model test: next case');
          } catch {
            // not found or already closed
          }
        }),
      );
      if (sweep === 0 && !quiet) await new Promise((r) => setTimeout(r, 50));
    }
    await this.post('/__sim/faults', {});
  }

  // ---- Deskworks events, through the API's own mapping ------------------------------------------------

  /**
   * Delivers as Deskworks does, again if the server did not take it. The time-skipping server's
   * signalWithStart looks the current run up before it locks it, so racing a continue-as-new it
   * can answer NOT_FOUND "Completed workflow", or "already started" (the real server looks again
   * under the lock); the webhook answers either with a 5xx, and Deskworks sends the event again.
   */
  async deliver(event: DeskworksEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.guard(
          'a delivery',
          deliver(
            {
              client: this.client,
              taskQueue: TASK_QUEUE,
              setupDefaults: LEAD_LAG_DEFAULT,
              // As the webhook does: a new person starts with the set-up the API last read (up to
              // 1 s old, so a sequence that changes the set-up meets a start whose set-up moved).
              personStart: (this.personStart ??= personStartSource({
                client: this.client,
                emailSecret: DEMO_EMAIL_LOOKUP_KEY,
                setup: this.setupForStarts(),
              })),
              reservationStart: (this.reservationStart ??= reservationStartSource(this.setupForStarts())),
            },
            deliveryFor(event),
          ),
        );
        return;
      } catch (err) {
        // Or it finds the run that just continued as new closed, starts one, and meets the new run:
        // "already started" (run of 2026-12-06 evening, case 44). The real server does neither.
        const racedContinueAsNew =
          err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError;
        if (!racedContinueAsNew || attempt >= DELIVERY_ATTEMPTS) throw err;
      }
    }
  }

  // ---- the set-up, through its updates ----------------------------------------------------------------

  private async update(run: () => Promise<unknown>): Promise<SetupAnswer> {
    try {
      await this.guard('a set-up update', this.whileNudging(run(), [SETUP_WORKFLOW_ID]));
      return { ok: true };
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause;
      return {
        ok: false,
        message: cause?.message ?? (err instanceof Error ? err.message : String(err)),
        saltoUnavailable: setupSaltoFailure(err)?.retryable === true,
      };
    }
  }

  /**
   * Waits for a promise while letting server time pass whenever one of these workflows only waits
   * for an activity's retry (a fault was injected): otherwise the backoff takes real seconds.
   */
  private async whileNudging<T>(promise: Promise<T>, ids: string[]): Promise<T> {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    const nudger = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 50));
        if (!done) await this.nudgeIfBackingOff(ids, 1_000);
      }
    })();
    try {
      return await watched;
    } finally {
      await nudger.catch(() => undefined);
    }
  }

  private setup() {
    return this.client.workflow.getHandle(SETUP_WORKFLOW_ID);
  }

  mapCenter(centerId: string, saltoSiteId: string, timeZone: string): Promise<SetupAnswer> {
    return this.update(() =>
      this.setup().executeUpdate(setCenterSiteUpdate, {
        args: [{ centerId, saltoSiteId, timeZone, name: centerId }],
      }),
    );
  }

  mapItem(
    kind: 'products' | 'units',
    centerId: string,
    itemId: string,
    accessGroupIds: string[],
  ): Promise<SetupAnswer> {
    const update = kind === 'products' ? setProductGroupsUpdate : setUnitGroupsUpdate;
    return this.update(() =>
      this.setup().executeUpdate(update, { args: [{ centerId, itemId, accessGroupIds }] }),
    );
  }

  setPolicy(change: PolicyChange): Promise<SetupAnswer> {
    return this.update(() => this.setup().executeUpdate(setPolicyUpdate, { args: [change] }));
  }

  // ---- reconciliation (what the Temporal Schedule runs) -------------------------------------------

  /** Starts reconcileAllSitesWorkflow and waits for it without unlocking time skipping. */
  async reconcile(timeoutMs = 60_000): Promise<void> {
    const workflowId = `reconcile-model-${++this.reconcileCount}`;
    this.extraWorkflows.push(workflowId);
    const handle = await this.client.workflow.start('reconcileAllSitesWorkflow', {
      workflowId,
      taskQueue: TASK_QUEUE,
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') {
        if (d.status.name !== 'COMPLETED') throw new Error(`reconciliation ended ${d.status.name}`);
        return;
      }
      if (Date.now() > deadline) throw new Error('reconciliation did not finish');
      await this.nudgeIfBackingOff([workflowId], 2_000);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  /** Lets server time pass when an activity only waits for its retry (it would wait in real time). */
  private async nudgeIfBackingOff(ids: string[], ms: number): Promise<void> {
    const snap = await this.snapshot(ids);
    if (snap.backingOff.length > 0) await this.sleep(ms);
  }

  // ---- what the engine is doing ---------------------------------------------------------------------

  /**
   * What every workflow of the case is doing. The test server leaves `pendingWorkflowTask` empty
   * in describe, so an outstanding workflow task is read from the history's tail (re-read only
   * when the history grew). An activity waiting for its retry still shows as pending (STARTED).
   */
  snapshot(ids = this.caseWorkflowIds()): Promise<WorkflowSnapshot> {
    return this.guard('looking at the workflows', this.look(ids));
  }

  private async look(ids: string[]): Promise<WorkflowSnapshot> {
    const out: WorkflowSnapshot = {
      lengths: new Map(),
      busy: [],
      backingOff: [],
      outOfSync: [],
      running: [],
    };
    await Promise.all(
      ids.map(async (id) => {
        try {
          const handle = this.client.workflow.getHandle(id);
          const d = await handle.describe();
          out.lengths.set(id, d.historyLength);
          if (d.status.name !== 'RUNNING') return;
          out.running.push(id);
          const pending = d.raw.pendingActivities ?? [];
          const retrying = pending.length > 0 && pending.every((a) => (a.attempt ?? 1) > 1 && a.lastFailure);
          if (pending.length > 0 && !retrying) out.busy.push(id);
          else if (retrying) out.backingOff.push(id);
          else if (await this.workflowTaskPending(id, d.runId, d.historyLength)) {
            out.busy.push(id);
            this.checkNotStuck(id, `${d.runId}:${d.historyLength}`);
          }
          if (d.typedSearchAttributes.get(InSyncKey) === false) out.outOfSync.push(id);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }),
    );
    return out;
  }

  private readonly tails = new Map<string, { runId: string; length: number; pending: boolean }>();
  private readonly pendingSince = new Map<string, { key: string; since: number }>();

  /** A workflow task takes milliseconds: one outstanding for 20 s means the worker lost it. */
  private checkNotStuck(id: string, key: string): void {
    const seen = this.pendingSince.get(id);
    if (!seen || seen.key !== key) {
      this.pendingSince.set(id, { key, since: Date.now() });
      return;
    }
    if (Date.now() - seen.since > 20_000)
      throw new HarnessStuck(`the workflow task of ${id} was never completed (the worker lost it)`);
  }

  private async workflowTaskPending(id: string, runId: string, length: number): Promise<boolean> {
    const cached = this.tails.get(id);
    if (cached && cached.runId === runId && cached.length === length) return cached.pending;
    const history = await this.client.workflow.getHandle(id, runId).fetchHistory();
    let pending = false;
    for (const e of history.events ?? []) {
      const type = Number(e.eventType);
      if (type === 5 /* WorkflowTaskScheduled */) pending = true;
      else if (type === 7 || type === 8 || type === 9) pending = false; // completed, timed out, failed
    }
    // The history may have grown while it was read: key the answer by what was read.
    this.tails.set(id, { runId, length: history.events?.length ?? length, pending });
    return history.events?.length === length ? pending : true;
  }

  access(personId: string): Promise<PersonAccessView> {
    return this.client.workflow.getHandle(personWorkflowId(personId)).query(personAccessQuery);
  }

  // ---- SALTO KS: its state, hand edits, faults -------------------------------------------------------

  async saltoState(): Promise<SimStateView> {
    const res = await fetch(`${this.sim.url}/__sim/state`);
    return (await res.json()) as SimStateView;
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.sim.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  setFaults(settings: Record<string, unknown>): Promise<unknown> {
    return this.post('/__sim/faults', settings);
  }

  /** Answers slower than the client waits, for a moment of real time (a few requests time out). */
  async slowFor(realMs: number): Promise<void> {
    this.clearLatencyTimer();
    const current = (await (await fetch(`${this.sim.url}/__sim/faults`)).json()) as Record<string, unknown>;
    await this.setFaults({ ...current, latencyMs: SALTO_TIMEOUT_MS + 300 });
    this.latencyTimer = setTimeout(() => {
      this.latencyTimer = null;
      // Only the latency ends: injected errors not used up yet stay.
      void fetch(`${this.sim.url}/__sim/faults`)
        .then((r) => r.json() as Promise<Record<string, unknown>>)
        .then((now) => this.setFaults({ ...now, latencyMs: 0 }))
        .catch(() => undefined);
    }, realMs);
  }

  /** Every fault off at once, the slow answers included. */
  async clearFaults(): Promise<void> {
    this.clearLatencyTimer();
    await this.setFaults({});
  }

  private clearLatencyTimer(): void {
    if (this.latencyTimer) clearTimeout(this.latencyTimer);
    this.latencyTimer = null;
  }

  /**
   * Any Connect API call made by hand, as someone in the SALTO KS app would; retried like a person
   * would when SALTO KS answers 429 or 5xx (the injected faults do not spare the app). While the
   * eventual-consistency fault is on (`settling`), a 404 on a user just created is retried too, as
   * the app would show that user a moment later.
   */
  async byHand(method: string, path: string, body?: unknown, settling = false): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await changeSaltoByHand(this.sim.url, method, path, body);
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const notYetVisible = settling && /: 404 /.test(message);
        if (attempt >= 8 || !(notYetVisible || /: (429|5\d\d) /.test(message))) throw err;
        if (notYetVisible) await new Promise((r) => setTimeout(r, 150));
      }
    }
  }

  async deleteGroup(siteId: string, groupId: string): Promise<boolean> {
    const res = await fetch(`${this.sim.url}/__sim/sites/${siteId}/access_groups/${groupId}`, {
      method: 'DELETE',
    });
    return res.status === 204;
  }

  async stop(): Promise<void> {
    this.clearLatencyTimer();
    await this.endCase().catch(() => undefined);
    await this.stopTemporal();
    await this.sim.close();
  }
}

let ignoringClosedChannels = false;

/**
 * A server restarted because it stopped answering leaves the old client's retry timers behind
 * (grpc-retry in @temporalio/client): when one fires on the closed connection it throws
 * "Channel has been shut down" from a timer, which would end the whole run. Only that error is
 * ignored; anything else still ends the process as before.
 */
function ignoreCallsOnClosedChannels(): void {
  if (ignoringClosedChannels) return;
  ignoringClosedChannels = true;
  process.on('uncaughtException', (err) => {
    if (err instanceof Error && err.message === 'Channel has been shut down') return;
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
