// Replays recorded histories of real runs against today's workflow code: a change that breaks
// determinism (an activity reordered, a timer added without a patch) fails here, before it
// reaches a running deployment. Histories are recorded by
// `RECORD_HISTORIES=1 node --test dist/test/workflows/comember-and-robustness.test.js`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/stack';
import '../helpers/temporal-env'; // quiet worker logs

const dir = join(__dirname, '..', '..', '..', 'test', 'workflows', 'histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.history.bin'))
  .sort();

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    assert.ok(files.length >= 3, `only ${files.length} histories in ${dir}`);
  });
  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
      const workflowId = file.replace(/\.history\.bin$/, '');
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
    });
  }
});
