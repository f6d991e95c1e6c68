// `npm run bench` section "recovery": how long access waits when a part of the product goes down.
//
// - a worker killed with `kill -9` while SALTO KS calls of new members are in flight on it: the
//   time from the kill to those members holding their doors, done by the other worker;
// - SALTO KS answering 503 to everything for a while: the time from its recovery to a new
//   member's doors (longer outages: `npm run bench:recovery`, docs/benchmarks-recovery.md).
//
// The workers run as processes of their own (worker-processes.ts); the API, the simulator and
// Temporal as in every section.
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { memberCreated } from '../../src/demo/event-builders';
import { personWorkflowId } from '../../src/shared/ids';
import {
  BERLIN,
  GROUPS,
  groupsOf,
  mapTestSetup,
  saltoState,
  uniqueId,
  usersByEmail,
} from '../e2e/e2e-support';
import { startStack, type Stack, type StackOptions } from '../helpers/stack';
import {
  median,
  newDeskMember,
  progress,
  setSimulatorFaults,
  setSimulatorLatency,
  warmUp,
  type Figure,
} from './bench-support';
import { WorkerProcesses, type WorkerProcess } from '../helpers/worker-processes';

export interface RecoveryOptions {
  /** Worker kills measured (each with new members in flight). */
  kills: number;
  /** New members in flight at each kill. */
  membersPerKill: number;
  /** The SALTO KS outage measured, in seconds. */
  outageSeconds: number;
}

/** Each SALTO KS call this slow while members are sent, so their activities are surely in flight at the kill. */
const SLOW_CALL_MS = 3000;
const POLL_MS = 50;
const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface InFlight {
  personId: string;
  email: string;
  /** The worker that ran its SALTO KS activity at the kill. */
  workerIdentity: string;
}

/** Waits until every person has a SALTO KS activity started on some worker; answers who runs where. */
async function untilInFlight(
  stack: Stack,
  personIds: string[],
  emails: Map<string, string>,
): Promise<InFlight[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await Promise.all(
      personIds.map(async (personId) => {
        const handle: WorkflowHandle = stack.client.workflow.getHandle(personWorkflowId(personId));
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const started = pending.find(
          (a) =>
            a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED &&
            a.activityType?.name?.startsWith('ensureSalto') === true &&
            a.lastWorkerIdentity,
        );
        return started
          ? { personId, email: emails.get(personId)!, workerIdentity: started.lastWorkerIdentity! }
          : null;
      }),
    );
    if (found.every((f) => f !== null)) return found;
    if (Date.now() > deadline)
      throw new Error('new members never had a SALTO KS activity in flight within 60 s');
    await sleep(100);
  }
}

/** Polls the simulator until each e-mail's user holds the hot desk's Berlin groups; answers when, per e-mail. */
async function untilDoors(stack: Stack, emails: string[], timeoutMs: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const want = JSON.stringify([...GROUPS.deskBerlin].sort());
  const deadline = performance.now() + timeoutMs;
  while (seen.size < emails.length && performance.now() < deadline) {
    const state = await saltoState(stack);
    const now = performance.now();
    for (const email of emails) {
      if (seen.has(email)) continue;
      const users = usersByEmail(state, BERLIN.siteId, email);
      if (users.length === 1 && JSON.stringify(groupsOf(state, BERLIN.siteId, users[0]!.userId)) === want)
        seen.set(email, now);
    }
    await sleep(POLL_MS);
  }
  return seen;
}

/** When the person's last SALTO KS activity completed, from its history (server clock, same machine). */
async function lastActivityCompletedAt(stack: Stack, personId: string): Promise<number | null> {
  const history = await stack.client.workflow.getHandle(personWorkflowId(personId)).fetchHistory();
  const completed = (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes);
  const last = completed[completed.length - 1];
  const t = last?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : null;
}

interface KillRun {
  /** Kill → doors, per member whose activity was on the killed worker. */
  toDoorsMs: number[];
  /** Kill → its activity completed on the other worker. */
  toActivityDoneMs: number[];
  /** Members whose activity ran on the surviving worker: kill → doors. */
  othersMs: number[];
  notDone: number;
}

async function killOnce(stack: Stack, workers: WorkerProcesses, membersPerKill: number): Promise<KillRun> {
  await setSimulatorLatency(stack, SLOW_CALL_MS);
  const emails = new Map<string, string>();
  for (let i = 0; i < membersPerKill; i++) {
    const member = newDeskMember(uniqueId('kill'));
    emails.set(member.id, member.email);
    const answer = await stack.sendEvent(memberCreated(member));
    if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
  }
  const inFlight = await untilInFlight(stack, [...emails.keys()], emails);
  const byWorker = new Map<string, InFlight[]>();
  for (const f of inFlight) byWorker.set(f.workerIdentity, [...(byWorker.get(f.workerIdentity) ?? []), f]);
  const victimIdentity = [...byWorker.entries()].sort((a, b) => b[1].length - a[1].length)[0]![0];
  const victim: WorkerProcess | undefined = workers.all.find((w) => w.identity === victimIdentity);
  if (!victim)
    throw new Error(`the activities ran on ${victimIdentity}, which is not one of the bench's workers`);
  // SALTO KS fast again at once: what is measured is the wait for Temporal to hand the work on.
  await setSimulatorLatency(stack, 0);
  const killedAt = performance.now();
  const killedAtEpoch = Date.now();
  await workers.kill(victim);
  const seen = await untilDoors(stack, [...emails.values()], 180_000);
  const onVictim = inFlight.filter((f) => f.workerIdentity === victimIdentity);
  const others = inFlight.filter((f) => f.workerIdentity !== victimIdentity);
  const toActivityDoneMs: number[] = [];
  for (const f of onVictim) {
    const doneAt = await lastActivityCompletedAt(stack, f.personId);
    if (doneAt !== null) toActivityDoneMs.push(doneAt - killedAtEpoch);
  }
  const since = (list: InFlight[]): number[] =>
    list.filter((f) => seen.has(f.email)).map((f) => seen.get(f.email)! - killedAt);
  return {
    toDoorsMs: since(onVictim),
    toActivityDoneMs,
    othersMs: since(others),
    notDone: emails.size - seen.size,
  };
}

async function outageOnce(stack: Stack, outageSeconds: number): Promise<number | null> {
  await setSimulatorFaults(stack, { errors: [{ status: 503, fraction: 1, pathPrefix: '/v1' }] });
  const member = newDeskMember(uniqueId('outage'));
  const answer = await stack.sendEvent(memberCreated(member));
  if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
  await sleep(outageSeconds * 1000);
  const recoveredAt = performance.now();
  await setSimulatorFaults(stack, {});
  const seen = await untilDoors(stack, [member.email], 300_000);
  const at = seen.get(member.email);
  return at === undefined ? null : at - recoveredAt;
}

export async function recovery(
  o: RecoveryOptions,
  stackOptions: StackOptions,
  figures: Figure[],
): Promise<void> {
  const stack = await startStack({ ...stackOptions, workers: 0 });
  const workers = WorkerProcesses.forStack(stack);
  try {
    progress('recovery: starting two worker processes');
    await workers.start();
    await workers.start();
    await mapTestSetup(stack);
    await warmUp(stack);
    const runs: KillRun[] = [];
    for (let k = 1; k <= o.kills; k++) {
      progress(`recovery: kill -9 of a worker ${k}/${o.kills}, ${o.membersPerKill} new members in flight`);
      runs.push(await killOnce(stack, workers, o.membersPerKill));
      await workers.start(); // back to two, as a supervisor would restart it
    }
    const toDoors = runs.flatMap((r) => r.toDoorsMs);
    const toActivity = runs.flatMap((r) => r.toActivityDoneMs);
    const others = runs.flatMap((r) => r.othersMs);
    const notDone = runs.reduce((n, r) => n + r.notDone, 0);
    const section = 'recovery';
    figures.push(
      {
        section,
        name: 'worker killed (kill -9) → its in-flight members hold their doors, p50',
        value: seconds(median(toDoors)),
        unit: 's',
        goal: 'seconds',
        note: `${toDoors.length} members over ${o.kills} kills; max ${seconds(Math.max(...toDoors))?.toFixed(1) ?? '–'} s; baseline, ${others.length === 0 ? 'no member ran on the surviving worker' : `${others.length} members on the surviving worker: p50 ${seconds(median(others))!.toFixed(1)} s`} (SALTO KS calls took ${SLOW_CALL_MS} ms until the kill)${notDone > 0 ? `; ${notDone} not done after 180 s` : ''}`,
      },
      {
        section,
        name: 'worker killed → its activities done by the other worker, p50',
        value: seconds(median(toActivity)),
        unit: 's',
        note: `the rest of the wait is the workflow task after it (max ${seconds(Math.max(...toActivity))?.toFixed(1) ?? '–'} s)`,
      },
    );
    progress(`recovery: SALTO KS down for ${o.outageSeconds} s while a new member arrives`);
    const outage = await outageOnce(stack, o.outageSeconds);
    figures.push({
      section,
      name: `SALTO KS back after a ${o.outageSeconds} s outage (all 503) → a new member's doors`,
      value: seconds(outage),
      unit: 's',
      goal: '≤ 10 s',
      note: 'longer outages: npm run bench:recovery',
    });
  } finally {
    await workers.stopAll();
    await stack.stop();
  }
}
