// The model-based random test at CI size (`npm test`): a few dozen random worlds and event
// sequences against the real engine on the time-skipping server, compared with the independent
// model of rules 1–7 (test/model/model.ts). `npm run test:model -- --runs 2000` runs many more.
// MODEL_RUNS, MODEL_SEED, MODEL_PATH, MODEL_ONLY, MODEL_WITHOUT, MODEL_STEPS, MODEL_SHRINK and
// MODEL_TIME_LIMIT apply here too (see test/model/README.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeCoverage, describeNotes, runModelTest } from './check';
import { configFrom, parseCli } from './cli';
import { ModelHarness } from './harness';

const CI_RUNS = 20;
const CI_SHRINK = 40;
const CI_TIME_LIMIT_S = 150;

describe('model-based random test of rules 1–7', { timeout: 300_000 }, () => {
  let harness: ModelHarness | undefined;
  before(async () => {
    harness = await ModelHarness.start();
  });
  after(async () => {
    await harness?.stop();
  });

  it('keeps SALTO KS equal to the model through random worlds, events, set-up changes, hand edits and faults', async (t) => {
    const env: NodeJS.ProcessEnv = {
      MODEL_RUNS: String(CI_RUNS),
      MODEL_SHRINK: String(CI_SHRINK),
      MODEL_TIME_LIMIT: String(CI_TIME_LIMIT_S),
      ...process.env,
    };
    const lines: string[] = [];
    const config = configFrom(parseCli([], env), (line) => lines.push(line));
    const result = await runModelTest(harness!, config);
    t.diagnostic(
      `${result.casesRun} cases, ${result.casesClean} clean, ${(result.wallMs / 1000).toFixed(1)} s (seed ${result.seed})`,
    );
    for (const line of describeNotes(result.notes)) t.diagnostic(line);
    if (env.MODEL_STATS) for (const line of describeCoverage(result.notes)) t.diagnostic(line);
    assert.ok(!result.failed, result.report || lines.join('\n'));
  });
});
