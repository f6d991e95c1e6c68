// `npm run histories:record`: records this release's workflow histories for the replay test, into
// test/workflows/histories/<package.json version>/ (replacing that release's only). Run it when
// cutting a release, after bumping the version; commit the files. See docs/workflow-upgrades.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = join(root, 'test', 'workflows', 'histories', version);

const run = (command, args, env = {}) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(1);
  }
};

run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
rmSync(target, { recursive: true, force: true });
// The tests that record: co-members, a stream of events with continue-as-new (on the dev server),
// the set-up, adoption, reservations through their windows, passes that decide on the set-up they
// hold (a start with the set-up, a refusal for a moved one, a read after a pass with no call),
// reservations that decide on the set-up they hold, and shared users that change hands while their
// owner moves to another e-mail.
run(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    'dist/test/workflows/comember-and-robustness.test.js',
    'dist/test/workflows/continue-as-new.test.js',
    'dist/test/workflows/member-access.test.js',
    'dist/test/workflows/reservations.test.js',
    'dist/test/workflows/setup-checked-by-call.test.js',
    'dist/test/workflows/reservation-holds-setup.test.js',
    'dist/test/workflows/edge-cases.test.js',
  ],
  { RECORD_HISTORIES: '1' },
);
const files = readdirSync(target).filter((f) => f.endsWith('.history.bin'));
console.log(`recorded ${files.length} histories of release ${version} in ${target}: ${files.join(', ')}`);
