// What the product asks of its Temporal server's dynamic config. The dev servers we start get it
// as flags; scripts/temporal-cluster.mjs and docker-compose.yml carry the same in their
// dynamic-config files (test/compose-matches-cluster.test.ts keeps the three together).

/**
 * Eager activity dispatch: when a workflow task schedules an activity and the worker that ran it
 * has a free activity slot, the server hands the activity back in its answer to the completion,
 * instead of through the task queue and a poll. Every person pass schedules its SALTO KS calls
 * that way: on this 2-core machine a chain of activities took 42 ms each instead of 94 ms. The
 * server's default is off.
 */
export const TEMPORAL_DYNAMIC_CONFIG: Readonly<Record<string, boolean>> = {
  'system.enableActivityEagerExecution': true,
};

/** `--dynamic-config-value key=value` for each of them, as `temporal server start-dev` takes them. */
export function devServerDynamicConfigArgs(): string[] {
  return Object.entries(TEMPORAL_DYNAMIC_CONFIG).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}

/**
 * The SQLite file of the dev servers we start (`npm start`, `npm run chaos`) is written in WAL
 * mode with `synchronous=NORMAL`: a commit no longer waits for the disk (fsync) on every one of
 * the many small transactions a workflow task makes, only at checkpoints. The file stays
 * consistent, and nothing is lost when a process dies (kill -9, a crash); only a power cut or an
 * OS crash may take back the last commits. Production runs on a Temporal cluster, not this file.
 */
export const DEV_SERVER_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=wal', 'synchronous=normal'];

/** `--sqlite-pragma name=value` for each of them. */
export function devServerSqlitePragmaArgs(): string[] {
  return DEV_SERVER_SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]);
}
