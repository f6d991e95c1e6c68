// Replays the histories recorded by each release (test/workflows/histories/<version>/) against
// today's workflow code. Person workflows never end, so a change that breaks determinism (an
// activity reordered, a timer added without a patch) would break running workflows after a
// deploy: it fails here first. `npm run histories:record` records this release's; see
// docs/workflow-upgrades.md.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, releaseOfThisCode, workflowIdOfHistoryFile } from '../helpers/recorded-histories';
import { workflowBundle } from '../helpers/stack';
import { testDataConverter } from '../helpers/test-data-converter';
import '../helpers/temporal-env'; // quiet worker logs

const releases = readdirSync(HISTORIES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort(compareVersions);

function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] => v.split(/[.-]/).map((p) => Number(p) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

describe('replay of the histories each release recorded', () => {
  it('has histories from a release before this one', () => {
    const current = releaseOfThisCode();
    assert.ok(
      releases.some((r) => compareVersions(r, current) < 0),
      `no release before ${current} in ${HISTORIES_DIR} (found: ${releases.join(', ') || 'none'})`,
    );
  });
  for (const release of releases) {
    const dir = join(HISTORIES_DIR, release);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.history.bin'))
      .sort();
    it(`release ${release} recorded person and set-up histories`, () => {
      assert.ok(
        files.some((f) => f.startsWith('person-')) && files.includes('setup.history.bin'),
        files.join(', '),
      );
    });
    for (const file of files) {
      it(`replays ${release}/${file} deterministically`, async () => {
        const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
        const workflowId = workflowIdOfHistoryFile(file);
        await Worker.runReplayHistory(
          { workflowBundle: await workflowBundle(), dataConverter: testDataConverter },
          history,
          workflowId,
        );
      });
    }
  }
});
