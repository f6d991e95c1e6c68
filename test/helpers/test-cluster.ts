// A real Temporal cluster (PostgreSQL + Temporal server v1.32 + Web UI, scripts/temporal-cluster.mjs)
// on free ports in a directory of its own, for tests; optionally with mTLS on the frontend.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
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
  stop(): Promise<void>;
}

export async function startTestCluster(
  options: { tlsDir?: string; codecEndpoint?: string; uiPort?: number } = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-cluster-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user and must reach its data directory
  const args = [
    script,
    'start',
    '--dir',
    dir,
    '--port',
    String(await freeBase()),
    '--pg-port',
    String(await freePort()),
    '--ui-port',
    String(options.uiPort ?? (await freePort())),
    '--json',
    ...(options.tlsDir ? ['--tls-dir', options.tlsDir] : []),
    ...(options.codecEndpoint ? ['--codec-endpoint', options.codecEndpoint] : []),
  ];
  const stop = async (): Promise<void> => {
    await run(process.execPath, [script, 'stop', '--dir', dir]);
  };
  try {
    const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
    const info = JSON.parse(stdout.trim().split('\n').pop()!) as { address: string; uiUrl: string };
    return { address: info.address, uiUrl: info.uiUrl, dir, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
