// A real Temporal cluster (PostgreSQL + Temporal server v1.32 + Web UI, scripts/temporal-cluster.mjs)
// on free ports in a directory of its own, for tests; optionally with mTLS on the frontend.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const script = join(__dirname, '..', '..', '..', 'scripts', 'temporal-cluster.mjs');
const run = promisify(execFile);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose neighbours the cluster uses too (+1..+3, +10, +100..+103) are free. */
async function freeBase(): Promise<number> {
  for (;;) {
    const base = 21_000 + Math.floor(Math.random() * 8_000);
    const ports = [0, 1, 2, 3, 10, 100, 101, 102, 103].map((d) => base + d);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = 30_000 + Math.floor(Math.random() * 10_000);
    if (await portFree(port)) return port;
  }
}

export interface TestCluster {
  address: string;
  uiUrl: string;
  dir: string;
  /** Bytes PostgreSQL holds for Temporal: its persistence and visibility databases together. */
  databaseBytes(): Promise<number>;
  /** The process ids of the Temporal server and of PostgreSQL's postmaster, to sample their cost. */
  processIds(): { server: number | null; postgres: number | null };
  /** Stops the server and PostgreSQL, then removes `dir`. */
  stop(): Promise<void>;
}

/** The pid a pid file holds (PostgreSQL's postmaster.pid: its first line), or null once gone. */
function pidIn(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The two databases' size as PostgreSQL counts it (tables, indexes, TOAST), through `psql`. */
async function temporalDatabaseBytes(pgPort: number): Promise<number> {
  const sql =
    "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility')";
  const { stdout } = await run('psql', [
    '-h',
    '127.0.0.1',
    '-p',
    String(pgPort),
    '-U',
    'temporal',
    '-d',
    'postgres',
    '-Atc',
    sql,
  ]);
  const bytes = Number(stdout.trim());
  if (!Number.isFinite(bytes) || bytes <= 0)
    throw new Error(`psql answered "${stdout.trim()}" for the database size`);
  return bytes;
}

export async function startTestCluster(
  options: { tlsDir?: string; codecEndpoint?: string; uiPort?: number } = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-cluster-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach its data directory
  const pgPort = await freePort();
  const args = [
    script,
    'start',
    '--dir',
    dir,
    '--port',
    String(await freeBase()),
    '--pg-port',
    String(pgPort),
    '--ui-port',
    String(options.uiPort ?? (await freePort())),
    '--json',
    ...(options.tlsDir ? ['--tls-dir', options.tlsDir] : []),
    ...(options.codecEndpoint ? ['--codec-endpoint', options.codecEndpoint] : []),
  ];
  // Stopped, its directory goes too: PostgreSQL's data alone is 440 MB for an empty cluster, and
  // every cluster a test or a bench run started used to stay in the temporary directory.
  const stop = async (): Promise<void> => {
    await run(process.execPath, [script, 'stop', '--dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
    const info = JSON.parse(stdout.trim().split('\n').pop()!) as { address: string; uiUrl: string };
    return {
      address: info.address,
      uiUrl: info.uiUrl,
      dir,
      databaseBytes: () => temporalDatabaseBytes(pgPort),
      processIds: () => ({
        server: pidIn(join(dir, 'server.pid')),
        postgres: pidIn(join(dir, 'pg', 'postmaster.pid')),
      }),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
