// Measures how long the time-skipping test server takes to accept connections (the SDK allows
// it 5 s), with and without the start-up tuning in .temporal-bin/test-server/temporal-test-server.
// Usage: node scripts/bench-test-server-start.mjs [runs=7]   (after `npm test` or `npm run setup`)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.temporal-bin', 'test-server');
const runs = Number(process.argv[2] ?? 7);
if (!existsSync(join(dir, 'lib'))) {
  console.error('No test server in .temporal-bin/test-server: run `npm run setup` first.');
  process.exit(1);
}
const classpath = readdirSync(join(dir, 'lib'))
  .filter((f) => f.endsWith('.jar'))
  .sort()
  .map((f) => join(dir, 'lib', f))
  .join(':');
const variants = {
  'plain JVM': [],
  'C1 only + serial GC': ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
  'C1 + serial GC + AppCDS archive (what the wrapper runs)': [
    `-XX:SharedArchiveFile=${join(dir, 'test-server.jsa')}`,
    '-Xshare:auto',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-Xss512k',
  ],
};

const accepts = (port) =>
  new Promise((ok) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), ok(true)));
    s.once('error', () => (s.destroy(), ok(false)));
  });

async function once(flags, port) {
  const started = process.hrtime.bigint();
  const child = spawn(
    'java',
    [...flags, '-cp', classpath, 'io.temporal.testserver.TestServer', String(port)],
    { stdio: 'ignore' },
  );
  while (!(await accepts(port))) await new Promise((r) => setTimeout(r, 10));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (let i = 0; i < runs; i++) {
  // Interleaved, so a noisy moment on the shared machine hits every variant alike.
  for (const [name, flags] of Object.entries(variants)) {
    (results[name] ??= []).push(await once(flags, 19000 + i));
  }
}
const base = median(results['plain JVM']);
console.log(`time-skipping test server: time until it accepts connections, median of ${runs} runs`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(
    `  ${name.padEnd(58)} ${m.toFixed(0).padStart(5)} ms  (x${(base / m).toFixed(2)} vs plain; min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`,
  );
}
