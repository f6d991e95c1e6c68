// `npm run test:model -- [options]`: the model-based random test with many cases (the CI-sized
// run is part of `npm test`). Builds first like the other scripts' pre-hooks (scripts/setup.mjs:
// dependencies if missing, the TypeScript build, the Temporal binaries), then runs
// dist/test/model/cli.js with the arguments given; `--help` lists them.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (!args.includes('--no-setup')) {
  const setup = spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
}

const run = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    join(root, 'dist', 'test', 'model', 'cli.js'),
    ...args.filter((a) => a !== '--no-setup'),
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(run.status ?? 1);
