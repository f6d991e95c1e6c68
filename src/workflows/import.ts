// An import of the people, plans, reservations and catalog a space already has (the file staged
// by the API, src/import/import-staging.ts). A workflow so that it survives restarts and goes on
// from the chunk it reached; its progress is a query the set-up page and the CLI poll.
import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ImportActivities, ImportChunkResult } from '../activities/import-types';
import type { RowIssue } from '../import/import-rows';

const imports = proxyActivities<ImportActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Issues kept in the state (the count goes on): the first ones are what an operator fixes. */
export const MAX_KEPT_ISSUES = 200;

export interface ImportWorkflowInput {
  importId: string;
  fileName: string;
  rows: number;
  chunks: number;
  importedAt: string;
  rowsPerSecond: number;
  /** Carried over continue-as-new. */
  progress?: ImportProgress;
}

export interface ImportProgress {
  importId: string;
  fileName: string;
  status: 'running' | 'done';
  rows: number;
  rowsDone: number;
  delivered: number;
  byKind: Record<string, number>;
  issueCount: number;
  /** The first MAX_KEPT_ISSUES, by row. */
  issues: RowIssue[];
  chunksDone: number;
  chunks: number;
  startedAt: string;
  finishedAt: string | null;
}

export const importProgressQuery = defineQuery<ImportProgress>('importProgress');

export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportProgress> {
  const progress: ImportProgress = input.progress ?? {
    importId: input.importId,
    fileName: input.fileName,
    status: 'running',
    rows: input.rows,
    rowsDone: 0,
    delivered: 0,
    byKind: {},
    issueCount: 0,
    issues: [],
    chunksDone: 0,
    chunks: input.chunks,
    startedAt: input.importedAt,
    finishedAt: null,
  };
  setHandler(importProgressQuery, () => progress);
  while (progress.chunksDone < input.chunks) {
    const result = await imports.importChunk({
      importId: input.importId,
      chunk: progress.chunksDone,
      importedAt: input.importedAt,
      rowsPerSecond: input.rowsPerSecond,
    });
    addChunk(progress, result);
    if (workflowInfo().continueAsNewSuggested && progress.chunksDone < input.chunks) {
      await continueAsNew<typeof importWorkflow>({ ...input, progress });
    }
  }
  await imports.discardImport({ importId: input.importId });
  progress.status = 'done';
  progress.finishedAt = new Date(Date.now()).toISOString();
  return progress;
}

function addChunk(progress: ImportProgress, result: ImportChunkResult): void {
  progress.chunksDone++;
  progress.rowsDone += result.rows;
  progress.delivered += result.delivered;
  for (const [kind, n] of Object.entries(result.byKind))
    progress.byKind[kind] = (progress.byKind[kind] ?? 0) + n;
  progress.issueCount += result.issues.length;
  const room = MAX_KEPT_ISSUES - progress.issues.length;
  if (room > 0) progress.issues.push(...result.issues.slice(0, room));
}
