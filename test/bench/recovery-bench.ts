// Benchmark (not a test): how long after SALTO KS recovers from an outage does a new member's
// access arrive? Target: within 10 s, for outages up to 10 minutes (issue 9 item 11).
//
// The whole product runs in this process (test/helpers/stack.ts: Temporal dev server, SALTO KS
// simulator, real worker and API). For each outage length and run: the simulator's Connect API
// starts failing, a signed member.created event for a new member with an active billing of a
// mapped product goes through the webhook, the outage lasts its length, the fault is lifted
// (T_recovered), and the simulator's state is polled every 50 ms until the member's user holds the
// product's groups (T_access). It prints T_access − T_recovered per outage length.
//
//   npm run build && node dist/test/bench/recovery-bench.js [--outages 6,30,120] [--runs 3]
//     [--fault 503|mix] [--json] [--timeout 900]
//
// Progress goes to stderr, the figures to stdout. It exits non-zero only on errors, never for a
// missed target.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Runtime } from '@temporalio/worker';
import { billing, memberCreated, memberSnapshot } from '../../src/demo/event-builders';
import { personWorkflowId } from '../../src/shared/ids';
import type { LoggedRequest } from '../../src/simulator';
import {
  BERLIN,
  clearSaltoRequests,
  emailOf,
  GROUPS,
  groupsOf,
  localDay,
  mapTestSetup,
  PRODUCT_DESK,
  saltoRequests,
  saltoState,
  uniqueId,
  usersByEmail,
} from '../e2e/e2e-support';
import { startStack, type Stack } from '../helpers/stack';

const TARGET_SECONDS = 10;
const POLL_MS = 50;
/** The product the new members buy, and the groups it gives at Berlin: "access" is holding all of them. */
const PRODUCT = PRODUCT_DESK;
const EXPECTED_GROUPS = [...GROUPS.deskBerlin].sort();

type FaultMode = '503' | 'mix';

const FAULTS: Record<FaultMode, { describe: string; settings: unknown }> = {
  '503': {
    describe: 'every SALTO KS Connect API call (/v1…) answers 503 (no Retry-After)',
    settings: { errors: [{ status: 503, fraction: 1, pathPrefix: '/v1' }] },
  },
  mix: {
    describe:
      'every SALTO KS Connect API call (/v1…) fails: at random half 503 (no Retry-After), half 429 with Retry-After: 2',
    settings: {
      errors: [
        { status: 503, fraction: 0.5, pathPrefix: '/v1' },
        { status: 429, fraction: 1, retryAfterSeconds: 2, pathPrefix: '/v1' },
      ],
    },
  },
};

interface Options {
  outagesSeconds: number[];
  runs: number;
  fault: FaultMode;
  json: boolean;
  timeoutSeconds: number;
  verbose: boolean;
}

const USAGE = `Usage: node dist/test/bench/recovery-bench.js [options]

Measures the time from SALTO KS recovering after an outage to a new member's access (target: ${TARGET_SECONDS} s).

  --outages 6,30,120   outage lengths in seconds (default 6,30,120)
  --runs N             runs per outage length (default 3)
  --fault 503|mix      503: every Connect API call answers 503 (default);
                       mix: half 503, half 429 with Retry-After: 2
  --timeout S          give up waiting for access S seconds after recovery; counted as a miss (default 900)
  --json               print the figures as JSON instead of a table
  --verbose            keep the worker's warnings (each failed SALTO KS activity attempt)
  --help               this text`;

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      outages: { type: 'string', default: '6,30,120' },
      runs: { type: 'string', default: '3' },
      fault: { type: 'string', default: '503' },
      timeout: { type: 'string', default: '900' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const outagesSeconds = values.outages.split(',').map((part) => {
    const seconds = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
      throw new Error(`--outages: "${part}" is not a number of seconds`);
    return seconds;
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1`);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new Error(`--timeout must be > 0 seconds`);
  if (values.fault !== '503' && values.fault !== 'mix') throw new Error(`--fault must be 503 or mix`);
  return {
    outagesSeconds,
    runs,
    fault: values.fault,
    json: values.json,
    timeoutSeconds,
    verbose: values.verbose,
  };
}

/** What woke the person up to call SALTO KS again after the recovery. */
type WokenBy = 'person-retry-timer' | 'activity-retry' | 'unknown';

interface RunResult {
  outageSeconds: number;
  run: number;
  memberId: string;
  /** T_access − T_recovered, or null when access did not come within the timeout. */
  accessSeconds: number | null;
  withinTarget: boolean;
  /** Connect API answers refused (429/503) while the fault was on. */
  refusedDuringOutage: number;
  /** From T_recovered to the first Connect API call answered after it. */
  waitSeconds: number | null;
  /** From that first call to access (the sync's own SALTO KS calls and workflow tasks). */
  workSeconds: number | null;
  wokenBy: WokenBy;
  /** When woken by the person's durable retry timer: that timer's length. */
  retryTimerSeconds: number | null;
  /** The person's sync passes that had failed when SALTO KS recovered. */
  failedPassesBeforeRecovery: number;
  tRecovered: string;
  tAccess: string | null;
}

interface OutageSummary {
  outageSeconds: number;
  runs: number;
  medianSeconds: number | null;
  maxSeconds: number | null;
  withinTarget: number;
  shareWithinTarget: number;
  medianWaitSeconds: number | null;
  medianWorkSeconds: number | null;
  wokenByRetryTimer: number;
  wokenByActivityRetry: number;
  results: RunResult[];
}

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Math.round(ms) / 1000;

/** Median with null (no access within the timeout) as +∞; null when that is the answer. */
function median(values: (number | null)[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Number.isFinite(m) ? Math.round(m * 1000) / 1000 : null;
}

function maximum(values: (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return Math.max(...(values as number[]));
}

async function setFaults(stack: Stack, settings: unknown): Promise<void> {
  const res = await fetch(`${stack.sim.url}/__sim/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (res.status !== 200) throw new Error(`POST /__sim/faults answered ${res.status}: ${await res.text()}`);
}

const isConnectApi = (r: LoggedRequest) => r.path.startsWith('/v1');
const isRefusal = (r: LoggedRequest) => r.status === 429 || r.status === 503;

/** Does SALTO KS (the simulator) show this e-mail's user holding every expected group? */
async function holdsAccess(stack: Stack, email: string): Promise<boolean> {
  const state = await saltoState(stack);
  const users = usersByEmail(state, BERLIN.siteId, email);
  if (users.length !== 1) return false;
  const held = groupsOf(state, BERLIN.siteId, users[0]!.userId);
  return EXPECTED_GROUPS.every((g) => held.includes(g));
}

/** A protobuf Timestamp or Duration (seconds may be a Long) in milliseconds. */
function tsMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  const s = ts.seconds as number | { toNumber(): number };
  const whole = typeof s === 'object' ? s.toNumber() : Number(s);
  return whole * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/**
 * Reads the person's history: was it sleeping on its durable retry timer when SALTO KS recovered
 * (and how long was that timer), or inside an activity's own retries? And how many sync passes
 * had failed by then (each pass that ends in a retry timer is one).
 */
async function whatWasWaiting(
  stack: Stack,
  memberId: string,
  tRecovered: number,
): Promise<{ wokenBy: WokenBy; retryTimerSeconds: number | null; failedPasses: number }> {
  const history = await stack.client.workflow.getHandle(personWorkflowId(memberId)).fetchHistory();
  const events = history.events ?? [];
  const timers = new Map<string, { startedAt: number; lengthMs: number | null; closedAt: number | null }>();
  for (const e of events) {
    const at = tsMs(e.eventTime) ?? 0;
    const started = e.timerStartedEventAttributes;
    if (started?.timerId)
      timers.set(started.timerId, {
        startedAt: at,
        lengthMs: tsMs(started.startToFireTimeout),
        closedAt: null,
      });
    const closedId = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
    if (closedId) {
      const timer = timers.get(closedId);
      if (timer) timer.closedAt = at;
    }
  }
  const before = [...timers.values()].filter((t) => t.startedAt <= tRecovered);
  const open = before.find((t) => t.closedAt === null || t.closedAt >= tRecovered);
  return {
    wokenBy: open ? 'person-retry-timer' : events.length > 0 ? 'activity-retry' : 'unknown',
    retryTimerSeconds: open?.lengthMs != null ? seconds(open.lengthMs) : null,
    failedPasses: before.length,
  };
}

async function oneRun(
  stack: Stack,
  options: Options,
  outageSeconds: number,
  run: number,
  label: string,
): Promise<RunResult> {
  const memberId = uniqueId('m-bench');
  const email = emailOf(memberId);
  await clearSaltoRequests(stack);

  await setFaults(stack, FAULTS[options.fault].settings);
  const tFaultOn = Date.now();
  const member = memberSnapshot({
    id: memberId,
    centerId: BERLIN.centerId,
    firstName: 'Bench',
    lastName: `Recovery ${memberId}`,
    email,
    recurringBillings: [
      billing({
        id: `b-${memberId}`,
        productId: PRODUCT,
        centerId: BERLIN.centerId,
        startDate: localDay(BERLIN.timeZone, -1),
      }),
    ],
  });
  const answer = await stack.sendEvent(memberCreated(member));
  if (answer.status !== 202)
    throw new Error(
      `the webhook answered ${answer.status} to member.created: ${JSON.stringify(answer.body)}`,
    );
  progress(`${label}: SALTO KS down, member.created for ${memberId} accepted (202)`);

  // The outage.
  const liftAt = tFaultOn + outageSeconds * 1000;
  let nextReport = Date.now() + 10_000;
  while (Date.now() < liftAt) {
    await sleep(Math.min(250, Math.max(0, liftAt - Date.now())));
    if (Date.now() >= nextReport && Date.now() < liftAt) {
      const refused = (await saltoRequests(stack)).filter((r) => isConnectApi(r) && isRefusal(r)).length;
      progress(
        `${label}: outage ${Math.round((Date.now() - tFaultOn) / 1000)}/${outageSeconds} s, ` +
          `${refused} SALTO KS call(s) refused so far`,
      );
      nextReport += 10_000;
    }
  }
  const tRecovered = Date.now();
  await setFaults(stack, {});
  progress(`${label}: SALTO KS recovered; polling for access every ${POLL_MS} ms`);

  // Recovery → access.
  let tAccess: number | null = null;
  const giveUpAt = tRecovered + options.timeoutSeconds * 1000;
  nextReport = tRecovered + 5_000;
  for (;;) {
    if (await holdsAccess(stack, email)) {
      tAccess = Date.now();
      break;
    }
    if (Date.now() > giveUpAt) break;
    if (Date.now() >= nextReport) {
      progress(`${label}: ${Math.round((Date.now() - tRecovered) / 1000)} s since recovery, no access yet`);
      nextReport += 5_000;
    }
    await sleep(POLL_MS);
  }

  const requests = await saltoRequests(stack);
  const connect = requests.filter(isConnectApi);
  const refusedDuringOutage = connect.filter((r) => isRefusal(r) && r.at <= tRecovered).length;
  const firstAfter = connect.find((r) => r.at >= tRecovered && !isRefusal(r));
  const waiting = await whatWasWaiting(stack, memberId, tRecovered);
  const accessSeconds = tAccess === null ? null : seconds(tAccess - tRecovered);
  const result: RunResult = {
    outageSeconds,
    run,
    memberId,
    accessSeconds,
    withinTarget: accessSeconds !== null && accessSeconds <= TARGET_SECONDS,
    refusedDuringOutage,
    waitSeconds: firstAfter ? seconds(firstAfter.at - tRecovered) : null,
    workSeconds: firstAfter && tAccess !== null ? seconds(tAccess - firstAfter.at) : null,
    wokenBy: waiting.wokenBy,
    retryTimerSeconds: waiting.retryTimerSeconds,
    failedPassesBeforeRecovery: waiting.failedPasses,
    tRecovered: new Date(tRecovered).toISOString(),
    tAccess: tAccess === null ? null : new Date(tAccess).toISOString(),
  };
  progress(
    `${label}: ` +
      (accessSeconds === null
        ? `no access within ${options.timeoutSeconds} s of recovery`
        : `access ${accessSeconds.toFixed(2)} s after recovery`) +
      ` (${refusedDuringOutage} calls refused during the outage, ${waiting.failedPasses} failed sync pass(es); ` +
      `woken by ${result.wokenBy}${result.retryTimerSeconds !== null ? ` of ${result.retryTimerSeconds} s` : ''}, ` +
      `first call ${result.waitSeconds ?? '?'} s after recovery, then ${result.workSeconds ?? '?'} s of sync)`,
  );
  return result;
}

function summarise(outageSeconds: number, results: RunResult[]): OutageSummary {
  const access = results.map((r) => r.accessSeconds);
  const within = results.filter((r) => r.withinTarget).length;
  return {
    outageSeconds,
    runs: results.length,
    medianSeconds: median(access),
    maxSeconds: maximum(access),
    withinTarget: within,
    shareWithinTarget: results.length === 0 ? 0 : within / results.length,
    medianWaitSeconds: median(results.map((r) => r.waitSeconds)),
    medianWorkSeconds: median(results.map((r) => r.workSeconds)),
    wokenByRetryTimer: results.filter((r) => r.wokenBy === 'person-retry-timer').length,
    wokenByActivityRetry: results.filter((r) => r.wokenBy === 'activity-retry').length,
    results,
  };
}

function formatSeconds(value: number | null, timeoutSeconds: number): string {
  return value === null ? `>${timeoutSeconds} s` : `${value.toFixed(2)} s`;
}

function table(summaries: OutageSummary[], options: Options): string {
  const header = [
    'outage',
    'runs',
    'median',
    'max',
    `within ${TARGET_SECONDS} s`,
    'median wait for retry',
    'median sync',
    'woken by timer / activity retry',
  ];
  const rows = summaries.map((s) => [
    `${s.outageSeconds} s`,
    String(s.runs),
    formatSeconds(s.medianSeconds, options.timeoutSeconds),
    formatSeconds(s.maxSeconds, options.timeoutSeconds),
    `${s.withinTarget}/${s.runs} (${Math.round(s.shareWithinTarget * 100)} %)`,
    formatSeconds(s.medianWaitSeconds, options.timeoutSeconds),
    formatSeconds(s.medianWorkSeconds, options.timeoutSeconds),
    `${s.wokenByRetryTimer} / ${s.wokenByActivityRetry}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `SALTO KS recovery → access (T_access − T_recovered), fault: ${FAULTS[options.fault].describe}`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/**
 * The worker logs every failed activity attempt as a warning, with its stack: hundreds of lines
 * during a long outage. Keep only errors (the test helpers installed the runtime's logger).
 */
function quietWorkerLog(): void {
  const logger = Runtime.instance().logger;
  const log = logger.log.bind(logger);
  logger.log = (level, message, meta) => {
    if (level === 'ERROR') log(level, message, meta);
  };
}

/** Set in the child that does the work; the child writes its figures (table or JSON) to this file. */
const REPORT_FILE_ENV = 'RECOVERY_BENCH_REPORT_FILE';

/**
 * The Temporal CLI, started by the stack, prints its banner on this process's stdout (an inherited
 * descriptor). So that stdout holds only the figures (and --json's output parses), the bench runs
 * in a child whose stdout is this process's stderr, and its figures come back through a file.
 */
async function runInChild(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'recovery-bench-'));
  const file = join(dir, 'report.json');
  try {
    const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
      env: { ...process.env, [REPORT_FILE_ENV]: file },
      stdio: ['inherit', process.stderr, 'inherit'],
    });
    // Ctrl-C reaches the child too (same process group): let it stop the product and report.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    process.off('SIGINT', ignore);
    if (code === 0) process.stdout.write(readFileSync(file, 'utf8'));
    return code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const opts = options;
  const reportFile = process.env[REPORT_FILE_ENV];
  if (!reportFile) {
    process.exitCode = await runInChild();
    return;
  }
  if (!opts.verbose) quietWorkerLog();

  const startedAt = new Date();
  progress('starting the product (Temporal dev server, SALTO KS simulator, worker, API)…');
  const stack = await startStack();
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= stack.stop());
  process.once('SIGINT', () => {
    progress('interrupted: stopping the product');
    void stop().finally(() => process.exit(130));
  });

  try {
    await mapTestSetup(stack);
    progress(
      `mapped center ${BERLIN.centerId} → site ${BERLIN.siteId}, product ${PRODUCT} → ${EXPECTED_GROUPS.join(', ')}`,
    );
    progress(`fault: ${FAULTS[opts.fault].describe}`);

    // A first member with no outage: warms the worker (workflow cache, connections) so the first
    // measured run is not also measuring a cold start.
    const warmId = uniqueId('m-bench-warm');
    const warm = memberSnapshot({
      id: warmId,
      centerId: BERLIN.centerId,
      firstName: 'Bench',
      lastName: 'Warm-up',
      email: emailOf(warmId),
      recurringBillings: [
        billing({
          id: `b-${warmId}`,
          productId: PRODUCT,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone, -1),
        }),
      ],
    });
    const warmAnswer = await stack.sendEvent(memberCreated(warm));
    if (warmAnswer.status !== 202) throw new Error(`warm-up member.created answered ${warmAnswer.status}`);
    const warmStart = Date.now();
    await stack.eventually(
      async () => ((await holdsAccess(stack, emailOf(warmId))) ? true : undefined),
      60_000,
      'the warm-up member to get access',
    );
    progress(`warm-up member got access in ${seconds(Date.now() - warmStart)} s with no outage`);

    const summaries: OutageSummary[] = [];
    for (const outageSeconds of opts.outagesSeconds) {
      const results: RunResult[] = [];
      for (let run = 1; run <= opts.runs; run++) {
        results.push(
          await oneRun(stack, opts, outageSeconds, run, `outage ${outageSeconds} s, run ${run}/${opts.runs}`),
        );
      }
      const summary = summarise(outageSeconds, results);
      summaries.push(summary);
      progress(
        `outage ${outageSeconds} s: median ${formatSeconds(summary.medianSeconds, opts.timeoutSeconds)}, ` +
          `max ${formatSeconds(summary.maxSeconds, opts.timeoutSeconds)}, ${summary.withinTarget}/${summary.runs} within ${TARGET_SECONDS} s`,
      );
    }

    if (opts.json) {
      const report = {
        benchmark: 'salto-ks-recovery-to-access',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        targetSeconds: TARGET_SECONDS,
        pollMs: POLL_MS,
        fault: {
          mode: opts.fault,
          description: FAULTS[opts.fault].describe,
          settings: FAULTS[opts.fault].settings,
        },
        product: {
          centerId: BERLIN.centerId,
          siteId: BERLIN.siteId,
          productId: PRODUCT,
          groups: EXPECTED_GROUPS,
        },
        timeoutSeconds: opts.timeoutSeconds,
        outages: summaries,
      };
      writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    } else {
      writeFileSync(reportFile, `${table(summaries, opts)}\n`);
    }
  } finally {
    await setFaults(stack, {}).catch(() => undefined);
    progress('stopping the product');
    await stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(
      `recovery-bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
