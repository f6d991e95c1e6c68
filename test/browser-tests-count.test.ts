// Without Chromium the browser tests must still show in the count: as skipped, or, under CI=true,
// as failed, so that CI can never pass without running them. Runs one browser test file in a child
// with CHROMIUM_PATH pointing nowhere and reads node's own summary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const file = join(__dirname, 'browser', 'setup-page.test.js');
/** The tests the file declares, counted from its source, not from the runner. */
const declared = (readFileSync(file, 'utf8').match(/\bit\)\(['"`]/g) ?? []).length;

function runWithoutChromium(ci: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' };
  delete env.CI;
  delete env.NODE_TEST_CONTEXT; // run as a top-level `node --test`, not as a subtest of this run
  if (ci !== undefined) env.CI = ci;
  const child = spawnSync(process.execPath, ['--test', '--test-reporter=spec', file], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const count = (what: string): number =>
    Number(new RegExp(`^ℹ ${what} (\\d+)$`, 'm').exec(child.stdout)?.[1]);
  return {
    status: child.status,
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped'),
    out: child.stdout,
  };
}

void describe('the browser tests without Chromium', () => {
  void it('declares some tests (the count below means something)', () => {
    assert.ok(declared >= 5, `found ${declared} tests in ${file}`);
  });

  void it('reports every one of them as skipped, with the reason, and passes', () => {
    const run = runWithoutChromium(undefined);
    assert.equal(run.status, 0, run.out);
    assert.deepEqual(
      { pass: run.pass, fail: run.fail, skipped: run.skipped },
      { pass: 0, fail: 0, skipped: declared },
    );
    assert.match(run.out, /no Chromium at \/nonexistent\/chromium/);
  });

  void it('under CI=true fails every one of them', () => {
    const run = runWithoutChromium('true');
    assert.notEqual(run.status, 0);
    assert.deepEqual(
      { pass: run.pass, fail: run.fail, skipped: run.skipped },
      { pass: 0, fail: declared, skipped: 0 },
    );
    assert.match(run.out, /CI=true and no Chromium/);
  });
});
