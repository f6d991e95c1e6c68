// `npm test`: every compiled test file under dist/test, with node's test runner; then the
// end-to-end and browser suites again against a real Temporal cluster (PostgreSQL, Temporal
// server v1.32: scripts/temporal-cluster.mjs) with two workers and two API servers.
// The spec reporter ends with `ℹ pass N` / `ℹ fail N`; we add one summary line CI can grep.
//
//   npm test                  everything, both runs
//   npm test -- <part>…       only files whose path contains a part (dev server only)
//   SKIP_CLUSTER_E2E=1        skip the cluster run
//   TEST_CONCURRENCY=N        test files run at once (default 2; 1: one file at a time)
//
// Files run two at a time (most of a test's time is spent waiting on a server), except those that
// load the machine for long or judge timing: they run afterwards, one at a time (ALONE).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = join(root, 'dist', 'test');
const filter = process.argv.slice(2);

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findTests(p);
    return name.endsWith('.test.js') ? [p] : [];
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
/** Each run's "failing tests" section, printed again at the very end, where a CI log's tail shows it. */
const failureReports = [];
const FAILING_MARK = '\u2716 failing tests:';

/** A failing-tests section without its stack frames, which only repeat the test runner's internals. */
function withoutStackFrames(lines) {
  return lines
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .trimEnd();
}

/**
 * Files that run on their own: the model-based test (a stuck time-skipping server under a shared
 * CPU costs it minutes), the benchmark and fuzzer smoke runs (they load both cores), the
 * continue-as-new stream (it waits for a new run under a burst of signals), the kill -9
 * recovery tests (they time how soon another worker takes over), and the edge cases, whose long
 * skips of server time once stalled on a loaded CI machine (test/helpers/stalled-skip.ts).
 */
const ALONE = [
  'model/engine-model.test.js',
  'bench/bench-smoke.test.js',
  'fuzz/',
  'workflows/continue-as-new.test.js',
  'e2e/worker-killed.test.js',
  'workflows/edge-cases.test.js',
];
const alone = (f) => ALONE.some((part) => f.replaceAll('\\', '/').includes(part));

const concurrency = (() => {
  const text = process.env.TEST_CONCURRENCY ?? '2';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`TEST_CONCURRENCY must be a whole number of at least 1, not "${text}"\n`);
    process.exit(2);
  }
  return n;
})();

/** The files in two passes: most `concurrency` at a time, then those that run alone. */
async function runInPasses(files, env = process.env) {
  const shared = files.filter((f) => !alone(f));
  const single = files.filter(alone);
  let code = shared.length > 0 ? await runFiles(shared, env, concurrency) : 0;
  if (single.length > 0) {
    const singleCode = await runFiles(single, env, 1);
    if (code === 0) code = singleCode;
  }
  return code;
}

/** Runs test files in one node --test process; adds its counts to the totals; answers its exit code. */
function runFiles(files, env = process.env, atOnce = 1) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  /** The lines from the failing-tests mark on (the spec reporter prints that section last). */
  let failing = null;
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', '--test', '--test-reporter=spec', `--test-concurrency=${atOnce}`, ...files],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env },
    );
    // Read by whole lines: a count or the failing mark split across two chunks is still seen.
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      process.stdout.write(`${line}\n`);
      if (failing) failing.push(line);
      else if (line === FAILING_MARK) failing = [line];
      const m = /^ℹ (pass|fail|skipped) (\d+)$/.exec(line);
      if (m?.[1] === 'pass') counts.passed = Number(m[2]);
      if (m?.[1] === 'fail') counts.failed = Number(m[2]);
      if (m?.[1] === 'skipped') counts.skipped = Number(m[2]);
    });
    // 'close', not 'exit': every line of its output has been read by then.
    child.on('close', (code) => {
      if (failing) failureReports.push(withoutStackFrames(failing));
      for (const k of Object.keys(totals)) totals[k] += counts[k];
      resolvePromise(code ?? 1);
    });
  });
}

function portFree(port) {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}

async function freePorts(offsets) {
  for (;;) {
    // Below 32768: the cluster's membership ports (base + 100…103) go into a smallint column.
    const base = 21_000 + Math.floor(Math.random() * 8_000);
    if ((await Promise.all(offsets.map((d) => portFree(base + d)))).every(Boolean)) return base;
  }
}

/** The e2e and browser suites on a fresh cluster; the mTLS test starts a cluster of its own. */
async function clusterRun() {
  const files = findTests(testRoot)
    .filter((f) => /[/\\](e2e|browser)[/\\]/.test(f) && !f.endsWith('secured-temporal.test.js'))
    .sort();
  const dir = mkdtempSync(join(tmpdir(), 'npm-test-cluster-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach its data directory
  const base = await freePorts([0, 1, 2, 3, 10, 100, 101, 102, 103, 500, 501]);
  const script = join(root, 'scripts', 'temporal-cluster.mjs');
  const started = Date.now();
  const start = spawnSync(
    process.execPath,
    [
      script,
      'start',
      '--dir',
      dir,
      '--port',
      String(base),
      '--pg-port',
      String(base + 500),
      '--ui-port',
      String(base + 501),
      '--json',
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    if (start.status !== 0) {
      process.stdout.write('\nThe Temporal cluster did not start: the cluster run counts as failed.\n');
      totals.failed += 1;
      return 1;
    }
    const { address } = JSON.parse(start.stdout.trim().split('\n').pop());
    process.stdout.write(
      `\nEnd-to-end and browser suites on a Temporal cluster at ${address} (PostgreSQL), two workers and two APIs (cluster up in ${Math.round((Date.now() - started) / 1000)} s): ${files.map((f) => relative(testRoot, f)).join(', ')}\n`,
    );
    return await runInPasses(files, { ...process.env, E2E_TEMPORAL_ADDRESS: address, E2E_REPLICAS: '2' });
  } finally {
    spawnSync(process.execPath, [script, 'stop', '--dir', dir], { cwd: root, stdio: 'inherit' });
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = findTests(testRoot)
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort();
process.stdout.write(
  `Running ${files.length} test files: ${files.map((f) => relative(testRoot, f)).join(', ')}\n`,
);
const wallStart = Date.now();
let code = await runInPasses(files);
if (filter.length === 0 && process.env.SKIP_CLUSTER_E2E !== '1') {
  const clusterCode = await clusterRun();
  if (code === 0) code = clusterCode;
}
if (failureReports.length > 0)
  process.stdout.write(`\nThe failures again, without stack frames:\n\n${failureReports.join('\n\n')}\n`);
process.stdout.write(
  `\nSummary: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${Math.round((Date.now() - wallStart) / 1000)} s)\n`,
);
process.exit(code);
