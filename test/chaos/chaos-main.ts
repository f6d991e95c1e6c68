// `npm run chaos [-- options]`: see docs/chaos.md. Exits 1 when any bold count is not 0.
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../src/runtime/worker-tuning';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_QUICK_RETRIES } from '../../src/salto/quick-retry';
import { runChaos, type ChaosOptions, type ChaosReport } from './chaos-run';
import { lateProfileLine } from './late-profile';
import { queueWaitLine, taskTallyLine, taskTypesLine, taskWaitLine } from './task-tally';

const USAGE = `npm run chaos -- [--events N] [--rate R] [--seed S] [--workers W] [--kill-every S]
                     [--temporal-outage S] [--hand-edit-every S] [--quick-retries N] [--worker-cache N]
                     [--fsync-every-commit]
                     [--short] [--json]
  --events            events sent (default 10000)
  --rate              events per second (default 20)
  --seed              the stream's seed (default 20261212): the same seed sends the same events
  --workers           worker processes (default 2)
  --kill-every        seconds between two kill -9 of a random worker, 0 for none (default 10)
  --temporal-outage   seconds the Temporal dev server is stopped, 0 for none (default 60)
  --hand-edit-every   seconds between two hand edits in SALTO KS, 0 for none (default 20)
  --fsync-every-commit  the dev server's SQLite waits for the disk at every commit (synchronous=FULL,
                      as before 0.5.0) instead of the product's synchronous=NORMAL
  --worker-cache      the workers' WORKER_MAX_CACHED_WORKFLOWS (default: the product's, ${DEFAULT_MAX_CACHED_WORKFLOWS})
  --quick-retries     the product's SALTO_KS_QUICK_RETRIES (default ${DEFAULT_QUICK_RETRIES}; 0: every fault to Temporal's retry)
  --short             the CI version: 500 events at 3 per second, a 20 s Temporal outage
  --json              the report as JSON on stdout`;

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(`--${name} must be a ${allowZero ? 'number ≥ 0' : 'positive number'}, not "${text}"`);
  return n;
}

function parse(argv: string[]): { options: Omit<ChaosOptions, 'log'>; json: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'kill-every': { type: 'string' },
      'temporal-outage': { type: 'string' },
      'hand-edit-every': { type: 'string' },
      'quick-retries': { type: 'string' },
      'worker-cache': { type: 'string' },
      'fsync-every-commit': { type: 'boolean', default: false },
      short: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const short = values.short;
  return {
    json: values.json,
    options: {
      events: Math.round(positive('events', values.events, short ? 500 : 10_000)),
      rate: positive('rate', values.rate, short ? 3 : 20),
      seed: Math.round(positive('seed', values.seed, 20261212, true)),
      workers: Math.round(positive('workers', values.workers, 2)),
      killEverySeconds: positive('kill-every', values['kill-every'], 10, true),
      temporalOutageSeconds: positive('temporal-outage', values['temporal-outage'], short ? 20 : 60, true),
      handEditEverySeconds: positive('hand-edit-every', values['hand-edit-every'], short ? 15 : 20, true),
      workerCache: Math.round(positive('worker-cache', values['worker-cache'], DEFAULT_MAX_CACHED_WORKFLOWS)),
      quickRetries: positive('quick-retries', values['quick-retries'], DEFAULT_QUICK_RETRIES, true),
      fsyncEveryCommit: values['fsync-every-commit'],
    },
  };
}

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : `${(n / 1000).toFixed(1)} s`);

/** CPU seconds by part, busiest first, and how much of the machine the run took in all. */
function cpuLine(r: ChaosReport): string {
  const parts = Object.entries(r.cpu.byRole).sort(([, a], [, b]) => b - a);
  const total = parts.reduce((sum, [, v]) => sum + v, 0);
  const cores = availableParallelism();
  const byPart = parts.map(([role, v]) => {
    const n = r.cpu.processes[role as keyof typeof r.cpu.processes] ?? 1;
    return `${role} ${v.toFixed(0)}${n > 1 ? ` (${n} processes)` : ''}`;
  });
  const share = total / (r.wallSeconds * cores);
  return `${byPart.join(', ')}; in all ${total.toFixed(0)} s: ${(share * 100).toFixed(0)} % of ${cores} cores for ${r.wallSeconds} s`;
}

function print(r: ChaosReport): void {
  const bold = (label: string, n: number, extra = '') =>
    `  ${label.padEnd(34)} ${String(n).padStart(6)}${n > 0 ? '  ✗' : ''}${extra}`;
  const lines = [
    `chaos: ${r.options.events} events at ${r.options.rate}/s, seed ${r.options.seed}, ${r.options.workers} workers, ${r.wallSeconds} s`,
    `  events sent / accepted / retries    ${r.events.sent} / ${r.events.accepted} / ${r.events.retried} (${
      Object.entries(r.events.retriedBecause)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    })`,
    `  faults                              ${r.workerKills} worker kills (kill -9), ${r.apiRestarts} API kill, ${r.temporalOutages} Temporal stop of ${r.options.temporalOutageSeconds} s, ${r.handEdits} hand edits; SALTO KS 10 % 5xx, 5 % 429, 1 % hangs, 0–300 ms; ${r.options.quickRetries} quick retries; worker cache ${r.options.workerCache}; deadlock detection ${process.env.WORKER_DEADLOCK_DETECTION ?? 'watchdog'}; SQLite ${r.options.fsyncEveryCommit ? 'synchronous=FULL' : 'synchronous=NORMAL'}`,
    bold('lost grants', r.lostGrants),
    bold('missed revocations', r.missedRevocations),
    bold(
      'late revocations (> 10 s)',
      r.lateRevocations,
      r.lateRevocations > 0 ? ` (up to ${ms(r.lateRevocationsMaxMs)} late)` : '',
    ),
    bold('duplicate users', r.duplicateUsers),
    bold('drift (site, e-mail) at the end', r.drift),
    bold(
      'names, e-mails, secrets leaked',
      r.personalData.hits.length,
      ` (searched ${Object.entries(r.personalData.searchedBytes)
        .map(([where, bytes]) => `${where} ${(bytes / 1e6).toFixed(1)} MB`)
        .join(', ')})`,
    ),
    ...r.personalData.hits.map((h) => `    ${h.what} in ${h.where}`),
    ...(r.lateRevocations > 0
      ? [`  late revocations, minute due        ${lateProfileLine(r.lateProfile, r.lateRevocations)}`]
      : []),
    `  late while Temporal was stopped     ${r.lateDuringTemporalOutage} (up to ${ms(r.lateDuringTemporalOutageMaxMs)}; not counted: nothing acts then)`,
    `  out of sync per person p50/p99/max  ${ms(r.outOfSyncPerPersonMs.p50)} / ${ms(r.outOfSyncPerPersonMs.p99)} / ${ms(r.outOfSyncPerPersonMs.max)} (${r.outOfSyncPerPersonMs.people} people)`,
    `  grant delay p50/p99/max             ${ms(r.grantDelayMs.p50)} / ${ms(r.grantDelayMs.p99)} / ${ms(r.grantDelayMs.max)} (${r.grantDelayMs.count})`,
    `  revocation delay p50/p99/max        ${ms(r.revocationDelayMs.p50)} / ${ms(r.revocationDelayMs.p99)} / ${ms(r.revocationDelayMs.max)} (${r.revocationDelayMs.count})`,
    `  CPU seconds by part                 ${cpuLine(r)}`,
    ...(r.tasks ? [`  Temporal work                       ${taskTallyLine(r.tasks)}`] : []),
    ...(r.tasks ? [`  Temporal work by workflow           ${taskTypesLine(r.tasks)}`] : []),
    ...(r.tasks
      ? [
          `  workflow tasks by minute            ${taskWaitLine(r.tasks, new Set(r.lateProfile.outageMinutes))} (tasks started: p50/p99 wait from scheduled to started; sticky timeouts)`,
          `  workflow-task waits by queue        ${queueWaitLine(r.tasks)} (tasks started: p50/p90/p99 wait since their last scheduling)`,
        ]
      : []),
    `  event kinds                         ${Object.entries(r.events.byKind)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    ...(r.apiInternalErrors.length > 0
      ? [`  the API answered 500; what it logged:\n    ${r.apiInternalErrors.join('\n    ')}`]
      : []),
    r.passed ? 'PASSED: every bold count is 0' : 'FAILED: the people concerned follow',
  ];
  console.log(lines.join('\n'));
  for (const c of r.concerned) {
    console.log(`\n${c.email}:\n  ${c.problems.join('\n  ')}\n  events:\n    ${c.events.join('\n    ')}`);
    if (c.timeline?.length)
      console.log(`  its workflow around the late revocations:\n    ${c.timeline.join('\n    ')}`);
  }
  if (r.keptDir)
    console.log(
      `\nThe run's folder is kept: ${r.keptDir} (the dev server's database temporal.sqlite, to read with ` +
        "`temporal server start-dev --db-filename`, and the workers' logs)",
    );
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
  const report = await runChaos({
    ...parsed.options,
    log: (line) => process.stderr.write(`[chaos] ${line}\n`),
  });
  if (parsed.json) console.log(JSON.stringify(report, null, 2));
  else print(report);
  process.exit(report.passed ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
