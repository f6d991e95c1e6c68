// The health panel of the set-up page (issue 13 §5): whether each part the product needs works
// now, and since when it has not. Every check is bounded in time; the whole report is cached
// briefly so open pages refreshing every few seconds do not hammer Temporal or SALTO KS.
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { SaltoConnectionStatus } from '../salto/oauth';
import { RECONCILE_SCHEDULE_ID } from '../shared/ids';
import { withTimeout } from '../shared/with-timeout';
import type { reconcileAllSitesWorkflow } from '../workflows/reconcile';
import { peopleVisibilityQuery } from './people-query';

export type HealthCheckName = 'temporal' | 'worker' | 'salto' | 'reconciliation' | 'people';

export interface HealthCheck {
  name: HealthCheckName;
  ok: boolean;
  /** What was seen, for an operator: no names, e-mails or secrets. */
  detail: string;
  /** When it stopped working, as far as this API process saw (null while it works). */
  failingSince: string | null;
}

export interface HealthReport {
  checkedAt: string;
  ok: boolean;
  checks: HealthCheck[];
}

/** What the health panel asks SALTO KS (the API's own sign-in and client). */
export interface SaltoHealthProbe {
  status(): Promise<SaltoConnectionStatus>;
  /** A cheap authenticated read: proves the token works (and renews it when due). */
  listSites(): Promise<unknown[]>;
}

export interface HealthOptions {
  client: Client;
  taskQueue: string;
  salto?: SaltoHealthProbe;
  now?: () => number;
  /** Each check's own time limit (default 3000 ms). */
  timeoutMs?: number;
  /** How long one report is served again (default 5000 ms). */
  cacheMs?: number;
}

/** A poller last seen longer ago than this no longer counts as polling. */
export const POLLER_FRESH_MS = 2 * 60_000;
/** Reconciliation is late once its last run started more than two intervals plus this ago. */
export const RECONCILE_GRACE_MS = 5 * 60_000;

type Outcome = Pick<HealthCheck, 'ok' | 'detail'> & { failingSince?: string | null };

export interface PollerSeen {
  identity: string;
  lastAccessMs: number | null;
}

/** Whether workers poll both halves of the task queue (pure, for tests). */
export function workerHealth(
  workflowPollers: PollerSeen[],
  activityPollers: PollerSeen[],
  taskQueue: string,
  nowMs: number,
): Outcome {
  const fresh = (p: PollerSeen) => p.lastAccessMs !== null && nowMs - p.lastAccessMs < POLLER_FRESH_MS;
  const workflows = workflowPollers.filter(fresh);
  const activities = activityPollers.filter(fresh);
  const workers = new Set([...workflows, ...activities].map((p) => p.identity)).size;
  if (workflows.length > 0 && activities.length > 0)
    return { ok: true, detail: `${workers} worker${workers === 1 ? '' : 's'} polling ${taskQueue}` };
  const last = Math.max(...[...workflowPollers, ...activityPollers].map((p) => p.lastAccessMs ?? 0), 0);
  const missing =
    workflows.length === 0 && activities.length === 0
      ? 'any task'
      : workflows.length === 0
        ? 'workflow tasks'
        : 'activity tasks';
  return {
    ok: false,
    detail: `no worker polls ${taskQueue} for ${missing}: start one (npm run worker)`,
    ...(last > 0 ? { failingSince: new Date(last).toISOString() } : {}),
  };
}

export interface LastReconciliation {
  everyMs: number | null;
  scheduleCreatedMs: number | null;
  lastStartedMs: number | null;
  status: 'running' | 'completed' | 'failed' | 'unknown' | null;
  result: { sites: number; usersSeen: number; peopleTold: number; usersMissing?: number } | null;
}

/** Whether the periodic reconciliation runs on time and finishes (pure, for tests). */
export function reconciliationHealth(last: LastReconciliation | null, nowMs: number): Outcome {
  if (last === null)
    return { ok: false, detail: 'no reconciliation schedule: a worker creates it when it starts' };
  const every = last.everyMs ?? 0;
  const dueBy = (fromMs: number) => fromMs + 2 * every + RECONCILE_GRACE_MS;
  if (last.lastStartedMs === null) {
    const created = last.scheduleCreatedMs ?? nowMs;
    return nowMs < dueBy(created)
      ? { ok: true, detail: 'scheduled: no run yet' }
      : {
          ok: false,
          detail: 'scheduled, but it never ran',
          failingSince: new Date(created + every).toISOString(),
        };
  }
  const started = new Date(last.lastStartedMs).toISOString();
  if (nowMs >= dueBy(last.lastStartedMs))
    return {
      ok: false,
      detail: `late: the last run started ${started}`,
      failingSince: new Date(last.lastStartedMs + every).toISOString(),
    };
  if (last.status === 'failed') return { ok: false, detail: `the last run (${started}) failed` };
  if (last.status === 'running') return { ok: true, detail: `running since ${started}` };
  const r = last.result;
  if (!r) return { ok: true, detail: `last run ${started}` };
  const missing = r.usersMissing ?? 0;
  return {
    ok: true,
    detail:
      `last run ${started}: ${r.sites} site${r.sites === 1 ? '' : 's'}, ${r.usersSeen} users read, ` +
      `${r.peopleTold} people told what SALTO KS holds` +
      (missing > 0 ? `, ${missing} user${missing === 1 ? '' : 's'} deleted by hand made again` : ''),
  };
}

/** Whether SALTO KS is connected and answers with the stored token (pure, for tests). */
export function saltoHealth(status: SaltoConnectionStatus, answered: true | Error, nowMs: number): Outcome {
  if (status.needsReconnect)
    return { ok: false, detail: 'SALTO KS refused the stored sign-in: re-connect SALTO KS' };
  if (!status.connected) return { ok: false, detail: 'SALTO KS is not connected: sign in above' };
  if (answered !== true) return { ok: false, detail: `failing: ${answered.message}` };
  const expires = status.accessTokenExpiresAt;
  const left = expires ? Date.parse(expires) - nowMs : null;
  return {
    ok: true,
    detail:
      left === null
        ? 'connected'
        : `connected; token valid for ${Math.max(0, Math.round(left / 60_000))} min (renewed before it runs out)`,
  };
}

function errorOf(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Remembers, per check, when this process first saw it fail; forgets once it works again. */
class FailureMemory {
  private readonly since = new Map<HealthCheckName, string>();
  note(name: HealthCheckName, outcome: Outcome, nowMs: number): string | null {
    if (outcome.ok) {
      this.since.delete(name);
      return null;
    }
    const first = this.since.get(name) ?? outcome.failingSince ?? new Date(nowMs).toISOString();
    this.since.set(name, first);
    return first;
  }
}

export function createHealthChecker(options: HealthOptions): () => Promise<HealthReport> {
  const { client, taskQueue } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 3000;
  const cacheMs = options.cacheMs ?? 5000;
  const memory = new FailureMemory();
  let cached: { atMs: number; report: Promise<HealthReport> } | null = null;

  const bounded = <T>(what: () => Promise<T>): Promise<T> => client.withDeadline(now() + timeoutMs, what);

  async function pollers(type: temporal.api.enums.v1.TaskQueueType): Promise<PollerSeen[]> {
    const answer = await bounded(() =>
      client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: type,
      }),
    );
    return (answer.pollers ?? []).map((p) => ({
      identity: p.identity ?? '',
      lastAccessMs: p.lastAccessTime?.seconds != null ? Number(p.lastAccessTime.seconds) * 1000 : null,
    }));
  }

  async function lastReconciliation(): Promise<LastReconciliation | null> {
    let described;
    try {
      described = await bounded(() => client.schedule.getHandle(RECONCILE_SCHEDULE_ID).describe());
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
    const everyMs = described.spec.intervals?.[0]?.every ?? null;
    const recent = [...described.info.recentActions].sort((a, b) => +b.takenAt - +a.takenAt)[0];
    const last: LastReconciliation = {
      everyMs,
      scheduleCreatedMs: +described.info.createdAt,
      lastStartedMs: recent ? +recent.takenAt : null,
      status: null,
      result: null,
    };
    if (!recent) return last;
    const handle = client.workflow.getHandle<typeof reconcileAllSitesWorkflow>(
      recent.action.workflow.workflowId,
      recent.action.workflow.firstExecutionRunId,
    );
    const d = await bounded(() => handle.describe());
    const status = d.status.name;
    if (status === 'RUNNING') last.status = 'running';
    else if (status === 'COMPLETED') {
      last.status = 'completed';
      last.result = await bounded(() => handle.result());
    } else if (status === 'FAILED' || status === 'TIMED_OUT' || status === 'TERMINATED')
      last.status = 'failed';
    else last.status = 'unknown';
    return last;
  }

  async function check(name: HealthCheckName, run: () => Promise<Outcome>): Promise<HealthCheck> {
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (err) {
      outcome = { ok: false, detail: `could not be checked: ${errorOf(err).message}` };
    }
    const nowMs = now();
    return { name, ok: outcome.ok, detail: outcome.detail, failingSince: memory.note(name, outcome, nowMs) };
  }

  async function report(): Promise<HealthReport> {
    const temporalCheck = await check('temporal', async () => {
      try {
        await bounded(() => client.workflowService.getSystemInfo({}));
        return { ok: true, detail: `reachable (namespace ${client.options.namespace})` };
      } catch (err) {
        return { ok: false, detail: `unreachable: ${errorOf(err).message}` };
      }
    });
    const needsTemporal = (name: HealthCheckName, run: () => Promise<Outcome>) =>
      temporalCheck.ok
        ? check(name, run)
        : check(name, () => Promise.resolve({ ok: false, detail: 'unknown while Temporal is unreachable' }));
    const checks = await Promise.all([
      needsTemporal('worker', async () => {
        const [workflows, activities] = await Promise.all([
          pollers(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
          pollers(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
        ]);
        return workerHealth(workflows, activities, taskQueue, now());
      }),
      check('salto', async () => {
        const salto = options.salto;
        if (!salto) return { ok: false, detail: 'this API has no SALTO KS account configured' };
        const status = await salto.status();
        if (!status.connected || status.needsReconnect) return saltoHealth(status, true, now());
        const answered = await withTimeout(salto.listSites(), timeoutMs).then(() => true as const, errorOf);
        return saltoHealth(await salto.status(), answered, now());
      }),
      needsTemporal('reconciliation', async () => reconciliationHealth(await lastReconciliation(), now())),
      needsTemporal('people', async () => {
        const [out, all] = await Promise.all([
          bounded(() => client.workflow.count(peopleVisibilityQuery({ outOfSync: 'true' }))),
          bounded(() => client.workflow.count(peopleVisibilityQuery({}))),
        ]);
        const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;
        return out.count === 0
          ? { ok: true, detail: `all ${people(all.count)} in sync with SALTO KS` }
          : { ok: false, detail: `${out.count} of ${people(all.count)} out of sync with SALTO KS` };
      }),
    ]);
    const all = [temporalCheck, ...checks];
    return { checkedAt: new Date(now()).toISOString(), ok: all.every((c) => c.ok), checks: all };
  }

  return () => {
    const nowMs = now();
    if (!cached || nowMs - cached.atMs >= cacheMs) cached = { atMs: nowMs, report: report() };
    return cached.report;
  };
}
