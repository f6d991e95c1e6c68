// The `prestart` / `pretest` step: on a fresh clone it installs what is missing, so that
// `npm start` and `npm test` are the only two commands a newcomer types.
//   1. npm dependencies (npm ci when node_modules is missing or older than package-lock.json)
//   2. the TypeScript build (incremental)
//   3. the Temporal binaries (scripts/temporal-binaries.mjs), unless --no-binaries
//   4. with --cluster: the Temporal server, schema tool and Web UI server (scripts/temporal-cluster.mjs)
// Uses Node built-ins only: it must run before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stdout.write(`[setup] ${msg}\n`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`[setup] ${cmd} ${args.join(' ')} failed (exit code ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

const installedMarker = join(root, 'node_modules', '.package-lock.json');
const lockFile = join(root, 'package-lock.json');
if (!existsSync(installedMarker) || mtime(lockFile) > mtime(installedMarker)) {
  log('Installing npm dependencies…');
  run(npm, [existsSync(lockFile) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

log('Building TypeScript…');
run(process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(root, 'tsconfig.json'),
]);

if (!process.argv.includes('--no-binaries')) {
  const { ensureTemporalBinaries } = await import('./temporal-binaries.mjs');
  await ensureTemporalBinaries();
}

// `npm test` also runs end-to-end tests on a real Temporal cluster (scripts/temporal-cluster.mjs).
if (process.argv.includes('--cluster')) {
  const { buildClusterBinaries } = await import('./temporal-cluster.mjs');
  buildClusterBinaries();
}
