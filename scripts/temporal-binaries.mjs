// Obtains the two Temporal binaries this project needs from package registries only
// (the SDK's own download from temporal.download is unreachable on our machines):
//   - the Temporal CLI (dev server + Web UI): `temporal` on PATH, else `go install` from the Go module proxy;
//   - the time-skipping test server: sdk-java's TestServer from Maven Central, run by a small wrapper.
// Results are cached in .temporal-bin/ (git-ignored) and described in .temporal-bin/manifest.json.
// Where Go or Java is missing, the manifest says so and callers fall back to the SDK's download.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const binDir = join(root, '.temporal-bin');
export const manifestPath = join(binDir, 'manifest.json');

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const testServerDir = join(binDir, 'test-server');
const testServerWrapper = join(testServerDir, 'temporal-test-server');
const testServerArchive = join(testServerDir, 'test-server.jsa');
// Flags chosen by measurement (docs/temporal-binaries.md): C1 only and the serial GC start fastest
// on 2 cores; the AppCDS archive skips class parsing and verification for the ~5,000 classes loaded.
const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss512k'];

const log = (msg) => process.stdout.write(`[setup] ${msg}\n`);

function onPath(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return {};
  }
}

function runWithProgress(cmd, args, what, opts = {}) {
  const started = Date.now();
  const ticker = setInterval(
    () => log(`…still ${what} (${Math.round((Date.now() - started) / 1000)} s)`),
    15_000,
  );
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolvePromise(Math.round((Date.now() - started) / 1000));
      else reject(new Error(`${cmd} ${args.join(' ')} failed with exit code ${code}`));
    });
  });
}

async function ensureCli() {
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const built = join(binDir, 'temporal');
  const source = `go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  if (existsSync(built)) return { path: built, source };
  if (!onPath('go')) {
    log('Go is not installed and `temporal` is not on PATH: the SDK will download the dev server instead.');
    return { path: null, source: 'sdk-download' };
  }
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (one time; several minutes on 2 cores)…`);
  const seconds = await runWithProgress(
    'go',
    ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
    'building the Temporal CLI',
    {
      env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false' },
    },
  );
  log(`Temporal CLI built in ${seconds} s: ${built}`);
  return { path: built, source };
}

/** Resolves once something listens on 127.0.0.1:port; rejects after timeoutMs, naming `what`. */
export function waitForPort(port, timeoutMs, what = 'nothing') {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolvePromise();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`${what} listened on port ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function dumpClassDataArchive(classpath) {
  // Start the server once with -XX:ArchiveClassesAtExit; the JVM writes the archive when it exits.
  const port = 17000 + Math.floor(Math.random() * 2000);
  const child = spawn(
    'java',
    [
      ...jvmFlags,
      `-XX:ArchiveClassesAtExit=${testServerArchive}`,
      '-cp',
      classpath,
      'io.temporal.testserver.TestServer',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitForPort(port, 60_000);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function ensureTestServer() {
  if (existsSync(testServerWrapper)) return { path: testServerWrapper, source: 'maven' };
  if (!onPath('java') || !onPath('mvn')) {
    log('Java or Maven is missing: the SDK will download the time-skipping test server instead.');
    return { path: null, source: 'sdk-download' };
  }
  log('Fetching the Temporal time-skipping test server and its classpath from Maven Central…');
  const libDir = join(testServerDir, 'lib');
  rmSync(testServerDir, { recursive: true, force: true });
  mkdirSync(libDir, { recursive: true });
  run('mvn', [
    '-B',
    '-q',
    '-f',
    join(root, 'tools', 'test-server', 'pom.xml'),
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libDir}`,
    '-DincludeScope=runtime',
  ]);
  const classpath = readdirSync(libDir)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(libDir, f))
    .join(':');
  log('Writing the class-data-sharing archive for a fast JVM start…');
  await dumpClassDataArchive(classpath);
  const cds = existsSync(testServerArchive) ? `-XX:SharedArchiveFile=${testServerArchive} -Xshare:auto ` : '';
  writeFileSync(
    testServerWrapper,
    `#!/bin/sh
# Temporal time-skipping test server (io.temporal:temporal-test-server from Maven Central).
# Usage: temporal-test-server <port>   (what @temporalio/testing passes for an 'existing-path' server)
exec java ${cds}${jvmFlags.join(' ')} -cp '${classpath}' io.temporal.testserver.TestServer "$@"
`,
  );
  chmodSync(testServerWrapper, 0o755);
  log(`Test server ready: ${testServerWrapper}`);
  return { path: testServerWrapper, source: 'maven' };
}

export async function ensureTemporalBinaries() {
  mkdirSync(binDir, { recursive: true });
  const previous = readManifest();
  const cli = await ensureCli();
  const testServer = await ensureTestServer();
  const manifest = { ...previous, cli, testServer };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await ensureTemporalBinaries();
  log(
    `Temporal CLI: ${m.cli.path ?? '(SDK download)'}; test server: ${m.testServer.path ?? '(SDK download)'}`,
  );
}
