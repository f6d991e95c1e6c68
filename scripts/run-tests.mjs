// `npm test`: every compiled test file under dist/test, with node's test runner.
// The spec reporter ends with `ℹ pass N` / `ℹ fail N`; we add one summary line CI can grep.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

const files = findTests(testRoot)
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort();
process.stdout.write(
  `Running ${files.length} test files: ${files.map((f) => relative(testRoot, f)).join(', ')}\n`,
);

let passed = 0;
let failed = 0;
let skipped = 0;
const child = spawn(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = chunk.toString();
  for (const m of text.matchAll(/^ℹ (pass|fail|skipped) (\d+)$/gm)) {
    if (m[1] === 'pass') passed = Number(m[2]);
    if (m[1] === 'fail') failed = Number(m[2]);
    if (m[1] === 'skipped') skipped = Number(m[2]);
  }
});
child.on('exit', (code) => {
  process.stdout.write(`\nSummary: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  process.exit(code ?? 1);
});
