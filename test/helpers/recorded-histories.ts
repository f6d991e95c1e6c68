// Histories recorded per release, for the replay test: every release's person and set-up
// workflows must replay on the code of every later release (they run for years).
// `npm run histories:record` records this code's under test/workflows/histories/<version>/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const repoRoot = join(__dirname, '..', '..', '..');
export const HISTORIES_DIR = join(repoRoot, 'test', 'workflows', 'histories');

/** The release this code is: package.json's version. */
export function releaseOfThisCode(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * With RECORD_HISTORIES=1 (set by `npm run histories:record`): saves these workflows' histories.
 * With `earlierRuns`, also the runs before the latest, as `<id>.run-<k>.history.bin` (k runs back):
 * a person that continued as new after the moment a test is about keeps it in an earlier run.
 */
export async function recordHistoriesIfAsked(
  client: Client,
  workflowIds: string[],
  options: { earlierRuns?: boolean } = {},
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const dir = join(HISTORIES_DIR, releaseOfThisCode());
  mkdirSync(dir, { recursive: true });
  for (const id of workflowIds) {
    let history = await client.workflow.getHandle(id).fetchHistory();
    writeFileSync(join(dir, `${id}.history.bin`), temporal.api.history.v1.History.encode(history).finish());
    for (let back = 1; options.earlierRuns; back++) {
      const before = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!before) break;
      history = await client.workflow.getHandle(id, before).fetchHistory();
      const file = join(dir, `${id}.run-${back}.history.bin`);
      writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
    }
  }
}

/** The workflow id of a recorded history's file (an earlier run's too). */
export function workflowIdOfHistoryFile(file: string): string {
  return file.replace(/(\.run-\d+)?\.history\.bin$/, '');
}
