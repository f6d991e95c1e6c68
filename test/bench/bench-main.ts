// `npm run bench`: the product's speed, side by side in one run (docs/benchmarks.md). Not a test:
// it prints figures (medians, percentiles and ratios taken in the same run) and never fails for
// a missed goal. Each section runs on a fresh Temporal (dev server, or --cluster: PostgreSQL).
//
//   npm run bench [-- --smoke] [--json] [--cluster] [--only ingest,drain,floor,latency,calls]
//                 [--rates 10,20,50] [--seconds 20] [--events 400] [--concurrency 16]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  billingChanged,
  memberCreated,
  memberStatusChanged,
  comemberAdded,
  memberSnapshot,
  reservationCreated,
  reservationCancelled,
  reservationSnapshot,
  billing,
} from '../../src/demo/event-builders';
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
  saltoRequestCount,
  saltoRequests,
  UNIT_SPREE,
  uniqueId,
  waitForSaltoGroups,
  writesAmong,
} from '../e2e/e2e-support';
import { retryAfterSeconds } from '../helpers/http-calls';
import { ADMIN_TOKEN, startStack, WEBHOOK_SECRET, type Stack, type StackOptions } from '../helpers/stack';
import { IngestLoad } from './ingest-load';
import { startTestCluster, type TestCluster } from '../helpers/test-cluster';
import '../helpers/temporal-env'; // the worker's own log at WARN
import {
  descendantsOf,
  sampleOf,
  sampleProcesses,
  threadCpuSeconds,
  type ProcessSample,
} from './process-stats';
import { drain } from './drain-section';
import { floor } from './floor-section';
import { reconcileCost } from './reconcile-cost';
import { recovery } from './recovery-section';
import type { MemberSnapshot } from '../../src/api/deskworks-events';
import {
  formatTable,
  median,
  MembershipWatcher,
  newDeskMember,
  percentile,
  progress,
  setSimulatorLatency,
  warmUp,
  type Figure,
} from './bench-support';

const SECTIONS = ['ingest', 'drain', 'floor', 'latency', 'calls', 'space', 'recovery'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  smoke: boolean;
  json: boolean;
  cluster: boolean;
  only: Section[];
  rates: number[] | null;
  seconds: number;
  events: number;
  concurrency: number;
  drainMembers: number;
  importMembers: number;
  /** Berlin members whose plan the space's set-up change reaches; null: up to 10,000. */
  fanoutMembers: number | null;
  kills: number;
  outageSeconds: number;
}

const USAGE = `npm run bench -- [options]
  --smoke          a short run that only proves every section still works (seconds, not minutes)
  --json           the figures as JSON on stdout
  --cluster        on a PostgreSQL-backed Temporal cluster (npm run cluster) instead of the dev server
  --only LIST      sections: ${SECTIONS.join(',')} (default all)
  --rates LIST     steady rates of new members per second for the latency section
                   (default 10,20,50 and 0.25 x the bare signalWithStart rate of the ingest section)
  --seconds N      how long each steady rate runs (default 20)
  --events N       events per ingest round (default 400)
  --concurrency N  requests in flight during ingest and drain (default 16)
  --drain-members N  new members sent at once in the drain section, and workflows in each burst
                   of the floor section (default 1000)
  --import-members N  people in the space section (default 10000; imported in two halves)
  --fanout-members N  of them, Berlin members whose plan the space's set-up change reaches
                   (default: all Berlin members, at most 10000; the other Berlin members hold
                   another plan; 0: no set-up change)
  --kills N        worker kills (kill -9) in the recovery section (default 3)
  --outage S       the SALTO KS outage of the recovery section, in seconds (default 30)`;

function parse(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      cluster: { type: 'boolean', default: false },
      only: { type: 'string' },
      rates: { type: 'string' },
      seconds: { type: 'string' },
      events: { type: 'string' },
      concurrency: { type: 'string' },
      'drain-members': { type: 'string' },
      'import-members': { type: 'string' },
      'fanout-members': { type: 'string' },
      kills: { type: 'string' },
      outage: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const positive = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a number > 0, not "${text}"`);
    return n;
  };
  const only = (values.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS]) as Section[];
  for (const s of only)
    if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section "${s}" (${SECTIONS.join(', ')})`);
  return {
    smoke: values.smoke,
    json: values.json,
    cluster: values.cluster,
    only,
    rates: values.rates ? values.rates.split(',').map((r) => positive('rates', r, 1)) : null,
    seconds: positive('seconds', values.seconds, values.smoke ? 2 : 20),
    events: Math.round(positive('events', values.events, values.smoke ? 30 : 400)),
    concurrency: Math.round(positive('concurrency', values.concurrency, 16)),
    drainMembers: Math.round(positive('drain-members', values['drain-members'], values.smoke ? 20 : 1000)),
    importMembers: Math.round(
      positive('import-members', values['import-members'], values.smoke ? 40 : 10_000),
    ),
    fanoutMembers:
      values['fanout-members'] === undefined
        ? null
        : values['fanout-members'] === '0'
          ? 0
          : Math.round(positive('fanout-members', values['fanout-members'], 1)),
    kills: Math.round(positive('kills', values.kills, values.smoke ? 1 : 3)),
    outageSeconds: positive('outage', values.outage, values.smoke ? 3 : 30),
  };
}

/** Where one round's CPU went, in milliseconds per event accepted. */
interface RoundCpu {
  /** The thread that sends (Deskworks' side): gRPC calls, or signed HTTP requests. */
  sender: number;
  /** The API's event loop (this process's main thread): nothing in a bare round. */
  api: number;
  /** This process's other threads: the garbage collector's helpers, libuv's pool, the SDK core's. */
  otherThreads: number;
  /** The Temporal server, and on the cluster PostgreSQL too. */
  server: number;
}

const cpuTotal = (c: RoundCpu): number => c.sender + c.api + c.otherThreads + c.server;

/** The median of each part over a path's rounds, and of their totals. */
function medianCpu(rounds: RoundCpu[]): (RoundCpu & { total: number }) | null {
  if (rounds.some((c) => Number.isNaN(c.sender))) return null; // off Linux: no thread figures
  const part = (f: (c: RoundCpu) => number): number => median(rounds.map(f)) ?? 0;
  return {
    sender: part((c) => c.sender),
    api: part((c) => c.api),
    otherThreads: part((c) => c.otherThreads),
    server: part((c) => c.server),
    total: part(cpuTotal),
  };
}

/** Webhook events accepted per second against bare signalWithStart calls, interleaved rounds. */
async function ingest(
  o: Options,
  stackOptions: StackOptions,
  figures: Figure[],
  cluster: TestCluster | null,
): Promise<number> {
  // No worker: what is measured is the API and Temporal taking events in, not the engine.
  const stack = await startStack({ ...stackOptions, workers: 0 });
  let load: IngestLoad | null = null;
  try {
    const rounds = o.smoke ? 1 : 5;
    const bare: number[] = [];
    const webhook: number[] = [];
    const cpu: Record<'bare' | 'webhook', RoundCpu[]> = { bare: [], webhook: [] };
    load = IngestLoad.against(stack, WEBHOOK_SECRET, o.concurrency);
    const sender = load;
    const serverCpu = (): number => {
      const { server, postgres } = serverSamples(cluster);
      return [...server, ...postgres].reduce((sum, x) => sum + x.cpuSeconds, 0);
    };
    const run = async (kind: 'bare' | 'webhook', n: number): Promise<number> => {
      // Read outside in: the scan of /proc for the server runs on this thread, outside `main`.
      const serverBefore = serverCpu();
      const selfBefore = sampleOf(process.pid);
      const mainBefore = threadCpuSeconds();
      const { rate, senderCpuSeconds, buildCpuSeconds } = await sender.round({
        kind,
        count: n,
        tag: uniqueId(kind),
      });
      const mainAfter = threadCpuSeconds();
      const selfAfter = sampleOf(process.pid);
      const serverAfter = serverCpu();
      const perEvent = (seconds: number): number => (seconds / n) * 1000;
      const main = mainBefore === null || mainAfter === null ? NaN : mainAfter - mainBefore;
      const self = (selfAfter?.cpuSeconds ?? NaN) - (selfBefore?.cpuSeconds ?? NaN);
      const senderSeconds = senderCpuSeconds ?? NaN;
      cpu[kind].push({
        sender: perEvent(senderSeconds),
        api: perEvent(main),
        otherThreads: perEvent(Math.max(0, self - main - senderSeconds - (buildCpuSeconds ?? 0))),
        server: perEvent(serverAfter - serverBefore),
      });
      return rate;
    };
    await run('bare', 20); // warm both paths: connections, JIT
    await run('webhook', 20);
    cpu.bare.length = 0;
    cpu.webhook.length = 0;
    for (let r = 0; r < rounds; r++) {
      // Every round adds workflows to the server's database, and each call gets a little slower
      // as it grows (over 3,000 events a round, bare fell from 312 to 190 per s in five rounds):
      // the second of a pair is always a little behind. Which goes first alternates.
      if (r % 2 === 0) {
        bare.push(await run('bare', o.events));
        webhook.push(await run('webhook', o.events));
      } else {
        webhook.push(await run('webhook', o.events));
        bare.push(await run('bare', o.events));
      }
      progress(
        `ingest round ${r + 1}/${rounds}: bare ${bare.at(-1)!.toFixed(1)}/s, webhook ${webhook.at(-1)!.toFixed(1)}/s`,
      );
    }
    const bareRate = median(bare)!;
    const webhookRate = median(webhook)!;
    const note = `${rounds} rounds of ${o.events} at ${o.concurrency} in flight; median`;
    figures.push(
      { section: 'ingest', name: 'bare signalWithStart', value: bareRate, unit: '/s', note },
      { section: 'ingest', name: 'webhook accepted', value: webhookRate, unit: '/s', note },
      {
        section: 'ingest',
        name: 'webhook / bare',
        // Each round's pair ran back to back: the median of their ratios shrugs off a noisy round.
        value: median(webhook.map((w, i) => w / bare[i]!)),
        unit: '×',
        goal: '≥ 0.9',
        note: `median of the rounds' ratios; ratio of the medians ${(webhookRate / bareRate).toFixed(2)}`,
      },
    );
    // On shared cores the rates follow the CPU each path costs an event: these say where it goes.
    const server = cluster ? 'Temporal + PostgreSQL' : 'Temporal';
    const bareCpu = medianCpu(cpu.bare);
    const webhookCpu = medianCpu(cpu.webhook);
    if (bareCpu && webhookCpu)
      figures.push(
        {
          section: 'ingest',
          name: 'CPU per event, bare',
          value: bareCpu.total,
          unit: 'ms',
          note: `client ${bareCpu.sender.toFixed(2)}, API ${bareCpu.api.toFixed(2)}, other threads ${bareCpu.otherThreads.toFixed(2)}, ${server} ${bareCpu.server.toFixed(2)}; median of ${rounds} rounds`,
        },
        {
          section: 'ingest',
          name: 'CPU per event, webhook',
          value: webhookCpu.total,
          unit: 'ms',
          note: `sender ${webhookCpu.sender.toFixed(2)}, API ${webhookCpu.api.toFixed(2)}, other threads ${webhookCpu.otherThreads.toFixed(2)}, ${server} ${webhookCpu.server.toFixed(2)}`,
        },
        {
          section: 'ingest',
          name: 'API event loop per event',
          value: webhookCpu.api,
          unit: 'ms',
          // At 0.9 × bare, a webhook event may cost a ninth more CPU than a bare one, in all.
          note: `0.9 × bare on these cores leaves the webhook path ${(bareCpu.total / 0.9 - bareCpu.total).toFixed(2)} ms more than bare in all; it costs ${(webhookCpu.total - bareCpu.total).toFixed(2)} more`,
        },
      );
    return bareRate;
  } finally {
    await load?.close();
    await stack.stop();
  }
}

/** From POST to the groups visible in SALTO KS, at steady rates of new members. */
async function latency(
  o: Options,
  stackOptions: StackOptions,
  bareRate: number | null,
  figures: Figure[],
): Promise<void> {
  const goalRate = bareRate === null ? null : Math.max(1, Math.round(bareRate * 0.25));
  const rates =
    o.rates ??
    (o.smoke ? [5] : [...new Set([10, 20, 50, ...(goalRate ? [goalRate] : [])])].sort((a, b) => a - b));
  for (const simLatencyMs of o.smoke ? [0] : [0, 100]) {
    let knee: number | null = null;
    for (const rate of rates) {
      const stack = await startStack(stackOptions);
      const watcher = new MembershipWatcher(stack, 20);
      try {
        await mapTestSetup(stack);
        await warmUp(stack);
        if (simLatencyMs > 0) await setSimulatorLatency(stack, simLatencyMs);
        const count = Math.max(1, Math.round(rate * o.seconds));
        let refusals = 0;
        const failures: Error[] = [];
        const tag = uniqueId(`lat${rate}`);
        const started = performance.now();
        const sends: Promise<void>[] = [];
        for (let i = 0; i < count; i++) {
          const due = started + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const member = newDeskMember(`${tag}-${i}`);
          const sentAt = performance.now();
          watcher.expect(member.email, BERLIN.siteId, GROUPS.deskBerlin, sentAt);
          sends.push(
            deliverAsDeskworks(stack, memberCreated(member)).then(
              (refused) => void (refusals += refused),
              (error: unknown) =>
                void failures.push(error instanceof Error ? error : new Error(String(error))),
            ),
          );
        }
        await Promise.all(sends);
        if (failures[0]) throw failures[0];
        await watcher.settle(60_000 + o.seconds * 1000);
        const seen = [...watcher.seenAfterMs.values()];
        const p99 = percentile(seen, 99);
        const label = `${rate}/s${simLatencyMs ? `, SALTO KS ${simLatencyMs} ms per call` : ''}`;
        const isGoal = rate === goalRate && simLatencyMs === 0;
        figures.push(
          {
            section: 'latency',
            name: `p50 at ${label}`,
            value: percentile(seen, 50),
            unit: 'ms',
            ...(isGoal ? { goal: '≤ 150 (0.25 × bare)' } : {}),
          },
          { section: 'latency', name: `p95 at ${label}`, value: percentile(seen, 95), unit: 'ms' },
          {
            section: 'latency',
            name: `p99 at ${label}`,
            value: p99,
            unit: 'ms',
            ...(isGoal ? { goal: '≤ 1000 (0.25 × bare)' } : {}),
            note: `${seen.length}/${count} members${watcher.pending ? `, ${watcher.pending} not done after the wait` : ''}${refusals ? `; ${refusals} deliveries answered 503 and were sent again after their Retry-After (counted from the first)` : ''}`,
          },
        );
        if (knee === null && (watcher.pending > 0 || (p99 ?? 0) > 1000)) knee = rate;
        progress(
          `latency ${label}: p50 ${percentile(seen, 50)?.toFixed(0)} ms, p99 ${p99?.toFixed(0)} ms, ${watcher.pending} pending`,
        );
      } finally {
        watcher.stop();
        await stack.stop();
      }
    }
    figures.push({
      section: 'latency',
      name: `knee (p99 > 1 s)${simLatencyMs ? `, SALTO KS ${simLatencyMs} ms per call` : ''}`,
      value: knee,
      unit: knee === null ? '' : '/s',
      note:
        knee === null
          ? `p99 ≤ 1 s at every rate tried (${rates.join(', ')}/s)`
          : `first rate tried with p99 > 1 s`,
    });
  }
}

/**
 * Sends an event as Deskworks does: again after the Retry-After of each 503 (the API's answer when
 * too many deliveries wait on Temporal). Resolves with the number of 503s.
 */
async function deliverAsDeskworks(stack: Stack, event: unknown): Promise<number> {
  for (let refused = 0; ; refused++) {
    const answer = await stack.sendEvent(event);
    if (answer.status === 202) return refused;
    if (answer.status !== 503) throw new Error(`webhook answered ${answer.status}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfterSeconds(answer), 60) * 1000));
  }
}

/** A private-office plan at Berlin since yesterday: one group more than the hot desk. */
function officeSinceYesterday(memberId: string) {
  return billing({
    id: `b-office-${memberId}`,
    productId: PRODUCT_OFFICE,
    centerId: BERLIN.centerId,
    startDate: localDay(BERLIN.timeZone, -1),
  });
}

/** SALTO KS calls each kind of change costs, against the fewest it could cost. */
async function calls(stackOptions: StackOptions, figures: Figure[]): Promise<void> {
  const stack = await startStack(stackOptions);
  try {
    await mapTestSetup(stack);
    await warmUp(stack);
    const measure = async (
      kind: string,
      minimal: number,
      why: string,
      change: () => Promise<void>,
      done: () => Promise<unknown>,
    ): Promise<void> => {
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the previous change has settled
      await clearSaltoRequests(stack);
      await change();
      await done();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // anything still on its way
      const requests = await saltoRequests(stack);
      const writes = writesAmong(requests).length;
      figures.push({
        section: 'calls',
        name: kind,
        value: requests.length / minimal,
        unit: '× minimal',
        goal: '1.00',
        note: `${requests.length} calls (${writes} writes, ${requests.length - writes} reads); minimal ${minimal}: ${why}`,
      });
      progress(
        `calls ${kind}: ${requests.length} (minimal ${minimal}): ${requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')}`).join(', ')}`,
      );
    };
    const send = async (event: unknown): Promise<void> => {
      const answer = await stack.sendEvent(event);
      if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}`);
    };
    const id = uniqueId('calls');
    const member = newDeskMember(id);
    await measure(
      'a new member',
      4,
      'look the e-mail up, create the user, add it to 2 groups',
      () => send(memberCreated(member)),
      () => waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin),
    );
    const office = officeSinceYesterday(id);
    await measure(
      'a plan added',
      1,
      'add to the 1 group the new plan adds',
      () => send(billingChanged(id, 'billing.created', office)),
      () => waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.officeBerlin),
    );
    await measure(
      'a plan ended',
      1,
      'remove from the 1 group only that plan gave',
      () => send(billingChanged(id, 'billing.cancelled', { ...office, status: 'cancelled' })),
      () => waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin),
    );
    await measure(
      'a deactivation',
      2,
      'remove from its 2 groups (policy keep: the user stays)',
      () => send(memberStatusChanged(id, 'member.deactivated')),
      () => waitForSaltoGroups(stack, BERLIN.siteId, member.email, []),
    );
    const guest = uniqueId('guest');
    const reservation = reservationSnapshot({
      id: uniqueId('r'),
      reservationUnitId: UNIT_SPREE,
      centerId: BERLIN.centerId,
      startMs: Date.now() + 5 * 60_000,
      endMs: Date.now() + 65 * 60_000,
      customer: {
        type: 'nonmember',
        id: guest,
        firstName: 'Bench',
        lastName: 'Guest',
        email: emailOf(guest),
      },
    });
    await measure(
      'a reservation grant',
      3,
      'look the e-mail up, create the user, add it to the room group',
      () => send(reservationCreated(reservation)),
      () => waitForSaltoGroups(stack, BERLIN.siteId, emailOf(guest), GROUPS.spreeRoom),
    );
    await measure(
      'a reservation revoke',
      1,
      'remove from the room group',
      () => send(reservationCancelled(reservation.id)),
      () => waitForSaltoGroups(stack, BERLIN.siteId, emailOf(guest), []),
    );
    const master = newDeskMember(uniqueId('master'));
    const comember = memberSnapshot({
      id: uniqueId('co'),
      centerId: BERLIN.centerId,
      firstName: 'Bench',
      lastName: 'Co',
      email: emailOf(uniqueId('co')),
    });
    await send(memberCreated(master));
    await send(comemberAdded(master.id, comember));
    await waitForSaltoGroups(stack, BERLIN.siteId, comember.email, GROUPS.deskBerlin, 60_000);
    const masterOffice = officeSinceYesterday(master.id);
    await measure(
      'a co-member following its master',
      2,
      'the master and its co-member each added to the 1 group the master’s new plan adds',
      () => send(billingChanged(master.id, 'billing.created', masterOffice)),
      () => waitForSaltoGroups(stack, BERLIN.siteId, comember.email, GROUPS.officeBerlin),
    );
  } finally {
    await stack.stop();
  }
}

/** Imports `members` through POST /api/import and waits until each holds its groups; answers seconds. */
async function importMembers(
  stack: Stack,
  members: MemberSnapshot[],
  watcher: MembershipWatcher,
): Promise<{ seconds: number; uploadMs: number }> {
  const started = performance.now();
  for (const m of members) watcher.expect(m.email, siteOf(m), groupsAt(m), started);
  const file = members.map((data) => JSON.stringify({ kind: 'member', data })).join('\n');
  const res = await fetch(`${stack.apiUrl}/api/import?name=bench.ndjson`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/x-ndjson' },
    body: file,
  });
  if (res.status !== 202) throw new Error(`import answered ${res.status}: ${await res.text()}`);
  const { importId } = (await res.json()) as { importId: string };
  const uploadMs = performance.now() - started;
  await waitLogging(watcher, members.length, 'members hold their groups');
  const seconds = (performance.now() - started) / 1000;
  // One import runs at a time (a second is a 409): the next one waits for this one's end.
  const statusOf = async (): Promise<unknown> =>
    ((await stack.api('GET', `/api/imports/${importId}`)).body as { status?: string }).status;
  while ((await statusOf()) !== 'done') await new Promise((resolve) => setTimeout(resolve, 500));
  return { seconds, uploadMs };
}

const siteOf = (m: MemberSnapshot): string =>
  m.centerId === BROOKLYN.centerId ? BROOKLYN.siteId : BERLIN.siteId;
const groupsAt = (m: MemberSnapshot): string[] => {
  if (m.centerId === BROOKLYN.centerId) return GROUPS.deskBrooklyn;
  return m.recurringBillings[0]?.productId === PRODUCT_OFFICE ? GROUPS.officeBerlin : GROUPS.deskBerlin;
};

/** The fewest SALTO KS calls that bring a new member in: look the e-mail up, create, one per group. */
const minimalImportCalls = (members: MemberSnapshot[]): number =>
  members.reduce((sum, m) => sum + 2 + groupsAt(m).length, 0);

async function waitLogging(watcher: MembershipWatcher, total: number, what: string): Promise<void> {
  const started = performance.now();
  let lastLog = started;
  while (watcher.pending > 0 && performance.now() - started < 3 * 3600_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      progress(`${total - watcher.pending}/${total} ${what}`);
    }
  }
}

/**
 * Members with a plan since yesterday, every other one at Brooklyn (a hot desk, where the product
 * gives that site's groups). At Berlin the first `deskAtBerlin` hold a hot desk, the later ones an
 * office: a change of the desk's groups then reaches exactly `deskAtBerlin` members.
 */
function spaceMembers(tag: string, from: number, count: number, deskAtBerlin: number): MemberSnapshot[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const member = newDeskMember(`${tag}-${i}`);
    if (i % 2 === 0) {
      if (i / 2 < deskAtBerlin) return member;
      const office = { ...member.recurringBillings[0]!, productId: PRODUCT_OFFICE };
      return { ...member, recurringBillings: [office] };
    }
    const brooklyn = {
      ...member.recurringBillings[0]!,
      centerId: BROOKLYN.centerId,
      startDate: localDay(BROOKLYN.timeZone, -1),
    };
    return { ...member, centerId: BROOKLYN.centerId, recurringBillings: [brooklyn] };
  });
}

/**
 * CPU per minute and memory at rest of this process (API, worker, simulator), of the Temporal
 * server and, on the cluster, of PostgreSQL.
 */
async function idleCost(seconds: number, cluster: TestCluster | null): Promise<IdleCost> {
  const before = serverSamples(cluster);
  const selfBefore = sampleOf(process.pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = serverSamples(cluster);
  const selfAfter = sampleOf(process.pid);
  const perMinute = (a: number, b: number): number => ((b - a) / seconds) * 60;
  const cpu = (xs: ProcessSample[]): number => xs.reduce((sum, x) => sum + x.cpuSeconds, 0);
  const hasServer = after.server.length > 0;
  return {
    selfCpu: perMinute(selfBefore?.cpuSeconds ?? 0, selfAfter?.cpuSeconds ?? 0),
    serverCpu: hasServer ? perMinute(cpu(before.server), cpu(after.server)) : null,
    selfRss: selfAfter?.rssBytes ?? process.memoryUsage().rss,
    serverRss: hasServer ? after.server.reduce((sum, x) => sum + x.rssBytes, 0) : null,
    postgresCpu: after.postgres.length > 0 ? perMinute(cpu(before.postgres), cpu(after.postgres)) : null,
  };
}

/** CPU seconds used so far by this process, the Temporal server and PostgreSQL. */
function cpuOfAllParts(cluster: TestCluster | null): number {
  const { server, postgres } = serverSamples(cluster);
  return [sampleOf(process.pid), ...server, ...postgres].reduce((sum, x) => sum + (x?.cpuSeconds ?? 0), 0);
}

function idleCpuPerSecond(idle: IdleCost): number {
  return (idle.selfCpu + (idle.serverCpu ?? 0) + (idle.postgresCpu ?? 0)) / 60;
}

interface IdleCost {
  selfCpu: number;
  serverCpu: number | null;
  selfRss: number;
  serverRss: number | null;
  /** On the cluster: PostgreSQL's postmaster and its backends. */
  postgresCpu: number | null;
}

/**
 * The Temporal server's processes: the dev server is a child of this process; the cluster's
 * server and PostgreSQL run detached, found by their pid files.
 */
function serverSamples(cluster: TestCluster | null): { server: ProcessSample[]; postgres: ProcessSample[] } {
  if (!cluster) return { server: sampleProcesses('temporal').children, postgres: [] };
  const { server, postgres } = cluster.processIds();
  const present = (xs: (ProcessSample | null)[]): ProcessSample[] =>
    xs.filter((x): x is ProcessSample => x !== null);
  return {
    server: present([server === null ? null : sampleOf(server)]),
    postgres: postgres === null ? [] : present([postgres, ...descendantsOf(postgres)].map(sampleOf)),
  };
}

/** One line of a half's figures, for the progress log. */
function describeIdle(
  importSeconds: number,
  people: number,
  idle: IdleCost,
  db: number,
  dbBefore: number,
): string {
  const mib = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MiB`;
  return [
    `imported in ${importSeconds.toFixed(0)} s (${(people / importSeconds).toFixed(1)}/s)`,
    `idle RSS ${mib(idle.selfRss)} (server ${idle.serverRss === null ? '–' : mib(idle.serverRss)})`,
    `idle CPU per minute ${idle.selfCpu.toFixed(2)} s (server ${idle.serverCpu?.toFixed(2) ?? '–'} s${
      idle.postgresCpu === null ? '' : `, PostgreSQL ${idle.postgresCpu.toFixed(2)} s`
    })`,
    `database ${mib(db)} (${((db - dbBefore) / 1024 / people).toFixed(1)} KiB per person)`,
  ].join(', ');
}

interface ListTimes {
  times: number[];
  /**
   * The slowest request: which one it was says why (a cold cache, a query replaying workflows…),
   * and how long this process's event loop stalled at most while it ran: a stall as long as the
   * request means this process held it up (API, worker and simulator share it), a short one that
   * it waited on Temporal.
   */
  slowest: { path: string; round: number; ms: number; stallMs: number };
  /**
   * The longest garbage-collection pause of this process (API, worker and simulator) while the
   * requests ran: a pause of the API's process is a slow request whatever it asked.
   */
  longestGcMs: number;
}

/** GET /api/people: `rounds` rounds of first pages, deeper pages and filters, each timed. */
async function peopleListTimes(stack: Stack, rounds: number): Promise<ListTimes> {
  const times: number[] = [];
  let slowest = { path: '', round: 0, ms: -1, stallMs: 0 };
  let longestGcMs = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestGcMs = Math.max(longestGcMs, entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let r = 0;
  const timed = async (path: string): Promise<{ nextPageToken?: string | null }> => {
    loop.reset();
    const started = performance.now();
    const answer = await stack.api('GET', path);
    const ms = performance.now() - started;
    times.push(ms);
    // The histogram's max is in ns, and counts the 10 ms sampling interval itself.
    const stallMs = Math.max(0, loop.max / 1e6 - 10);
    // A page token is different on every run: the path says which page it was instead.
    if (ms > slowest.ms)
      slowest = { path: path.replace(/pageToken=[^&]*/, 'pageToken=…'), round: r + 1, ms, stallMs };
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status}`);
    return answer.body as { nextPageToken?: string | null };
  };
  try {
    for (; r < rounds; r++) await peopleListRound(timed);
  } finally {
    gc.disconnect();
    loop.disable();
  }
  return { times, slowest, longestGcMs };
}

/** One round: the first four pages, a center, a kind and sync state, and a page with access. */
async function peopleListRound(
  timed: (path: string) => Promise<{ nextPageToken?: string | null }>,
): Promise<void> {
  let page = await timed('/api/people?pageSize=50');
  for (let p = 0; p < 3 && page.nextPageToken; p++) {
    page = await timed(`/api/people?pageSize=50&pageToken=${encodeURIComponent(page.nextPageToken)}`);
  }
  await timed(`/api/people?pageSize=50&center=${BROOKLYN.centerId}`);
  await timed('/api/people?pageSize=50&kind=member&outOfSync=false');
  await timed('/api/people?pageSize=25&include=access');
}

const describeSlowest = ({ slowest, longestGcMs }: ListTimes): string =>
  `the slowest ${slowest.ms.toFixed(1)} ms: ${slowest.path}, round ${slowest.round}, this process's event loop stalled up to ${slowest.stallMs.toFixed(0)} ms during it; longest GC pause meanwhile ${longestGcMs.toFixed(0)} ms`;

/** Bytes of a dev server's SQLite file with its write-ahead log and shared-memory file. */
function sqliteBytes(file: string): number {
  return [file, `${file}-wal`, `${file}-shm`].reduce(
    (sum, f) => sum + (existsSync(f) ? statSync(f).size : 0),
    0,
  );
}

/**
 * An existing space: half the members imported, the cost of holding them measured at rest, the
 * other half imported, measured again (memory must stay flat as idle people grow); then the
 * people list at that size, and a set-up change that reaches the Berlin desk members (rule 7).
 * On the dev server its state lives in a SQLite file, as with `npm start`, so that its size counts.
 */
async function space(
  o: Options,
  stackOptions: StackOptions,
  figures: Figure[],
  cluster: TestCluster | null,
): Promise<void> {
  const n = o.importMembers;
  const half = Math.floor(n / 2);
  const berlinMembers = Math.ceil(n / 2);
  const fanout = o.fanoutMembers ?? Math.min(10_000, berlinMembers);
  if (fanout > berlinMembers)
    throw new Error(`--fanout-members ${fanout}: the space of ${n} has only ${berlinMembers} Berlin members`);
  const dbDir = cluster ? null : mkdtempSync(join(tmpdir(), 'bench-space-'));
  const dbFile = dbDir ? join(dbDir, 'temporal.sqlite') : null;
  const databaseBytes = async (): Promise<number> =>
    cluster ? cluster.databaseBytes() : sqliteBytes(dbFile!);
  const stack = await startStack({
    ...stackOptions,
    importRowsPerSecond: 1000,
    ...(dbFile ? { devServerDbFile: dbFile } : {}),
  });
  // The watcher reads the whole simulator each poll: less often in a large space, where a poll of
  // 100,000 users would otherwise take a core from the engine it measures.
  const pollMs = Math.max(500, Math.round(n / 20));
  const watcher = new MembershipWatcher(stack, pollMs);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  const idleSeconds = o.smoke ? 3 : 60;
  const section = `space of ${n}`;
  try {
    await mapTestSetup(stack);
    await warmUp(stack);
    await clearSaltoRequests(stack);
    const dbBefore = await databaseBytes();
    const tag = uniqueId('space');
    const firstMembers = spaceMembers(tag, 0, half, fanout);
    const secondMembers = spaceMembers(tag, half, n - half, fanout);
    const first = await importMembers(stack, firstMembers, watcher);
    const idleHalf = await idleCost(idleSeconds, cluster);
    const dbHalf = await databaseBytes();
    // Said now, so that a long run cut short still leaves the figures of its first half.
    progress(`at ${half} people: ${describeIdle(first.seconds, half, idleHalf, dbHalf, dbBefore)}`);
    const second = await importMembers(stack, secondMembers, watcher);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const importCalls = await saltoRequestCount(stack);
    const minimalCalls = minimalImportCalls([...firstMembers, ...secondMembers]);
    const idleFull = await idleCost(idleSeconds, cluster);
    const dbFull = await databaseBytes();
    const wall = first.seconds + second.seconds;
    // Said before the reconciliation, so that a run it stops still leaves the figures at full size.
    progress(
      `at ${n} people: ${describeIdle(wall, n, idleFull, dbFull, dbBefore)}; SALTO KS calls ${importCalls} for a minimal ${minimalCalls}`,
    );
    const list = await peopleListTimes(stack, o.smoke ? 1 : 10);
    const listTimes = list.times;
    progress(
      `GET /api/people at ${n} people: p50 ${percentile(listTimes, 50)?.toFixed(1) ?? '–'} ms, p99 ${percentile(listTimes, 99)?.toFixed(1) ?? '–'} ms; ${describeSlowest(list)}`,
    );
    const reconciliation = await reconcileCost(
      stack,
      () => cpuOfAllParts(cluster),
      idleCpuPerSecond(idleFull),
    );
    const mib = (bytes: number | null): number | null =>
      bytes === null ? null : Math.round(bytes / 1024 / 1024);
    figures.push(
      {
        section,
        name: 'import: wall time',
        value: wall,
        unit: 's',
        note: `two files of ${half} and ${n - half} (each upload < ${Math.ceil(Math.max(first.uploadMs, second.uploadMs))} ms)`,
      },
      { section, name: 'import: members in SALTO KS per second', value: n / wall, unit: '/s' },
      {
        section,
        name: 'import: SALTO KS calls / minimal',
        value: importCalls / minimalCalls,
        unit: '×',
        goal: '≤ 1.05',
        note: `${importCalls} calls; minimal ${minimalCalls}: per member look up, create, one per group (2 or 3)`,
      },
      {
        section,
        name: 'import: peak RSS (API + worker + simulator)',
        value: mib(peakRss),
        unit: 'MiB',
        note: 'one process; the Temporal server is another',
      },
      {
        section,
        name: `idle: RSS (API + worker + simulator) at ${half} → ${n} people`,
        value: mib(idleFull.selfRss),
        unit: 'MiB',
        note: `${mib(idleHalf.selfRss)} MiB at ${half}: ×${(idleFull.selfRss / idleHalf.selfRss).toFixed(2)} for ×${(n / half).toFixed(1)} people`,
        goal: 'flat',
      },
      {
        section,
        name: `idle: Temporal server RSS at ${half} → ${n} people`,
        value: mib(idleFull.serverRss),
        unit: 'MiB',
        note: idleHalf.serverRss === null ? 'not found' : `${mib(idleHalf.serverRss)} MiB at ${half}`,
      },
      {
        section,
        name: `database at ${half} → ${n} people`,
        value: mib(dbFull),
        unit: 'MiB',
        note: `${mib(dbBefore)} MiB before the import, ${mib(dbHalf)} MiB at ${half}; ${
          cluster
            ? 'PostgreSQL: persistence and visibility databases'
            : "the dev server's SQLite file and WAL"
        }`,
      },
      {
        section,
        name: 'database per person imported',
        value: (dbFull - dbBefore) / 1024 / n,
        unit: 'KiB',
        note: 'histories of the person and import workflows, visibility rows',
      },
      {
        section,
        name: `idle: CPU per minute, API + worker + simulator`,
        value: idleFull.selfCpu,
        unit: 's/min',
        note: `${idleHalf.selfCpu.toFixed(2)} s/min at ${half}; over ${idleSeconds} s`,
      },
      {
        section,
        name: `idle: CPU per minute, Temporal server`,
        value: idleFull.serverCpu,
        unit: 's/min',
        note: idleHalf.serverCpu === null ? 'not found' : `${idleHalf.serverCpu.toFixed(2)} s/min at ${half}`,
      },
      ...(idleFull.postgresCpu === null
        ? []
        : [
            {
              section,
              name: 'idle: CPU per minute, PostgreSQL',
              value: idleFull.postgresCpu,
              unit: 's/min',
              note: `${idleHalf.postgresCpu?.toFixed(2) ?? '–'} s/min at ${half}; the postmaster and its backends`,
            },
          ]),
    );
    figures.push(
      {
        section,
        name: `reconciliation of ${n} people: until quiet`,
        value: reconciliation.untilQuietSeconds,
        unit: 's',
        note: `${reconciliation.quiet ? '' : 'NOT QUIET after 30 min; '}the workflow ${reconciliation.workflowSeconds.toFixed(1)} s; the schedule runs one every RECONCILE_INTERVAL_MINUTES (15 by default)`,
      },
      {
        section,
        name: 'reconciliation: people told',
        value: reconciliation.result.peopleTold,
        unit: '',
        goal: '0 at rest',
        note: `${reconciliation.result.usersSeen} SALTO KS users read on ${reconciliation.result.sites} sites; only people whose groups there differ from what they last wrote, out of sync, or not listed yet`,
      },
      {
        section,
        name: 'reconciliation: CPU above idle, every part',
        value: reconciliation.cpuSeconds,
        unit: 's',
        note: 'this process, the Temporal server and PostgreSQL, from its start until quiet',
      },
    );
    figures.push(
      {
        section,
        name: 'GET /api/people: p50',
        value: percentile(listTimes, 50),
        unit: 'ms',
        note: `${listTimes.length} requests: first and later pages, by center, by kind and sync, with access`,
      },
      {
        section,
        name: 'GET /api/people: p99',
        value: percentile(listTimes, 99),
        unit: 'ms',
        note: describeSlowest(list),
      },
    );
    if (fanout === 0) return;
    // Rule 7: one product's groups change at Berlin; every Berlin member with it must get the new group.
    await clearSaltoRequests(stack);
    const berlin = [...firstMembers, ...secondMembers].filter(
      (m) => m.centerId === BERLIN.centerId && m.recurringBillings[0]?.productId === PRODUCT_DESK,
    );
    const changed = [...GROUPS.deskBerlin, ...GROUPS.spreeRoom];
    const started = performance.now();
    for (const m of berlin) watcher.expect(m.email, BERLIN.siteId, changed, started);
    const put = await stack.api('PUT', `/api/setup/centers/${BERLIN.centerId}/products/${PRODUCT_DESK}`, {
      accessGroupIds: changed,
    });
    if (put.status !== 200) throw new Error(`mapping change answered ${put.status}`);
    await waitLogging(watcher, berlin.length, 'Berlin members hold the new group');
    const fanOutSeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const fanOutCalls = await saltoRequestCount(stack);
    figures.push(
      {
        section,
        name: `set-up change reaching ${berlin.length} members: time`,
        value: fanOutSeconds,
        unit: 's',
        note: `${watcher.pending} not done`,
      },
      {
        section,
        name: 'set-up change: SALTO KS calls per member reached',
        value: fanOutCalls / berlin.length,
        unit: '',
        note: `${fanOutCalls} calls; one writer per person: one group add each`,
      },
    );
  } finally {
    clearInterval(sampler);
    watcher.stop();
    await stack.stop();
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let o: Options | null;
  try {
    o = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (!o) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (o.json && !process.env.BENCH_JSON_OUT) {
    // The Temporal dev server writes its banner to our stdout: the measuring runs in a child whose
    // stdout goes to stderr, and only the JSON reaches stdout.
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'figures.json');
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
      stdio: ['ignore', process.stderr, 'inherit'],
      env: { ...process.env, BENCH_JSON_OUT: out },
    });
    if (child.status !== 0) throw new Error(`the benchmark run failed (exit ${child.status})`);
    process.stdout.write(`${readFileSync(out, 'utf8')}\n`);
    return;
  }
  const started = Date.now();
  let cluster: TestCluster | null = null;
  const figures: Figure[] = [];
  try {
    if (o.cluster) {
      progress('starting a PostgreSQL-backed Temporal cluster');
      cluster = await startTestCluster();
    }
    const stackOptions: StackOptions = cluster ? { temporalAddress: cluster.address } : {};
    let bareRate: number | null = null;
    if (o.only.includes('ingest')) bareRate = await ingest(o, stackOptions, figures, cluster);
    let drainRate: number | null = null;
    if (o.only.includes('drain'))
      drainRate = await drain(
        { members: o.drainMembers, concurrency: o.concurrency },
        stackOptions,
        bareRate,
        figures,
      );
    if (o.only.includes('floor'))
      await floor(
        {
          members: o.drainMembers,
          concurrency: o.concurrency,
          // As many as the drain's stack runs (startStack's default).
          workers: stackOptions.replicas ?? Number(process.env.E2E_REPLICAS ?? 1),
        },
        stackOptions,
        { bare: bareRate, drain: drainRate },
        figures,
      );
    if (o.only.includes('latency')) await latency(o, stackOptions, bareRate, figures);
    if (o.only.includes('calls')) await calls(stackOptions, figures);
    if (o.only.includes('space')) await space(o, stackOptions, figures, cluster);
    if (o.only.includes('recovery'))
      await recovery(
        { kills: o.kills, membersPerKill: o.smoke ? 2 : 6, outageSeconds: o.outageSeconds },
        stackOptions,
        figures,
      );
  } finally {
    await cluster?.stop();
  }
  const context = {
    date: new Date().toISOString(),
    temporal: o.cluster ? 'Temporal 1.32 on PostgreSQL 15 (npm run cluster)' : 'Temporal dev server (SQLite)',
    cpus: (await import('node:os')).cpus().length,
    wallSeconds: Math.round((Date.now() - started) / 1000),
    smoke: o.smoke,
  };
  if (process.env.BENCH_JSON_OUT)
    writeFileSync(process.env.BENCH_JSON_OUT, JSON.stringify({ ...context, figures }, null, 2));
  else {
    process.stdout.write(
      `${context.temporal}, ${context.cpus} cores, ${context.date}, ${context.wallSeconds} s${o.smoke ? ' (smoke run: figures prove it works, nothing more)' : ''}\n\n`,
    );
    process.stdout.write(`${formatTable(figures)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
