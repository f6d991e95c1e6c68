// POST /api/import takes an import file (NDJSON or a JSON array of rows, docs/import.md) as a
// stream: rows are cut out one at a time and staged in chunks, never held whole, and the import
// workflow is started on the staged chunks; one import runs at a time (a second is a 409).
// GET /api/imports/:importId answers its progress, GET /api/imports the recent imports.
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import express, { type Request, type Router } from 'express';
import type { ImportStaging } from '../import/import-staging';
import { IMPORT_WORKFLOW_TYPE, isImportId, newImportId } from '../shared/ids';
import {
  formatOfFileName,
  ImportFileError,
  splitRows,
  type ImportFormat,
  type SplitRow,
} from '../import/row-splitter';
import { importProgressQuery, type importWorkflow, type ImportProgress } from '../workflows/import';

/** Rows per staged chunk: one activity's work, a few hundred KiB at most. */
export const IMPORT_CHUNK_ROWS = 250;

export interface ImportRoutesOptions {
  client: Client;
  taskQueue: string;
  staging: ImportStaging;
  /** Pace of deliveries per import (IMPORT_ROWS_PER_SECOND). */
  rowsPerSecond: number;
  now?: () => number;
}

const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

/** From the Content-Type, or from the file name's extension for generic types. */
function formatOf(req: Request, fileName: string): ImportFormat | null {
  const type = (req.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (NDJSON_TYPES.includes(type)) return 'ndjson';
  if (type === 'application/json') return 'json';
  const generic = type === 'application/octet-stream' || type === 'text/plain' || type === '';
  return generic ? formatOfFileName(fileName) : null;
}

export function importRouter(options: ImportRoutesOptions): Router {
  const router = express.Router();
  const now = options.now ?? Date.now;

  router.post('/api/import', async (req, res) => {
    const nameParam = typeof req.query.name === 'string' ? req.query.name : '';
    const fileName = nameParam.slice(0, 200) || 'import';
    const format = formatOf(req, fileName);
    if (format === null) {
      res.status(415).json({
        error: 'unsupported_media_type',
        message: `send NDJSON (${NDJSON_TYPES[0]}) or a JSON array (application/json), or name the file with .ndjson or .json`,
      });
      return;
    }
    const running = await runningImportId(options.client);
    if (running) {
      // Read to its end and dropped: an answer sent while the upload still streams in would cut
      // the connection under the client, which would then never read it.
      await finished(req.resume()).catch(() => undefined);
      res.status(409).json({
        error: 'import_running',
        message:
          `import ${running} is still running. One import runs at a time, so that its pace ` +
          '(IMPORT_ROWS_PER_SECOND) is the pace SALTO KS and Temporal see: send this file when it is done.',
        importId: running,
        progress: `/api/imports/${running}`,
      });
      return;
    }
    const importId = newImportId(now(), randomBytes(6).toString('hex'));
    let rows = 0;
    let chunks = 0;
    let pending: SplitRow[] = [];
    try {
      for await (const row of splitRows(req as AsyncIterable<Buffer>, format)) {
        pending.push(row);
        rows++;
        if (pending.length === IMPORT_CHUNK_ROWS) {
          await options.staging.writeChunk(importId, chunks++, pending);
          pending = [];
        }
      }
      if (pending.length > 0) await options.staging.writeChunk(importId, chunks++, pending);
    } catch (error) {
      await options.staging.discard(importId);
      if (!(error instanceof ImportFileError)) throw error;
      res.status(400).json({ error: 'invalid_import', message: error.message });
      return;
    }
    if (rows === 0) {
      await options.staging.discard(importId);
      res.status(400).json({ error: 'invalid_import', message: 'the file holds no rows' });
      return;
    }
    try {
      await options.client.workflow.start<typeof importWorkflow>(IMPORT_WORKFLOW_TYPE, {
        workflowId: importId,
        taskQueue: options.taskQueue,
        args: [
          {
            importId,
            fileName,
            rows,
            chunks,
            importedAt: new Date(now()).toISOString(),
            rowsPerSecond: options.rowsPerSecond,
          },
        ],
      });
    } catch (error) {
      await options.staging.discard(importId);
      throw error;
    }
    res.status(202).json({ importId, fileName, rows, chunks, progress: `/api/imports/${importId}` });
  });

  router.get('/api/imports/:importId', async (req, res) => {
    const { importId } = req.params;
    if (!isImportId(importId)) {
      res
        .status(400)
        .json({ error: 'invalid_request', issues: [{ path: 'importId', message: 'not an import id' }] });
      return;
    }
    try {
      res.json(await progressOf(options.client, importId));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      res.status(404).json({ error: 'not_found', message: `no import ${importId}` });
    }
  });

  router.get('/api/imports', async (_req, res) => {
    const recent: ImportProgress[] = [];
    const query = `WorkflowType = '${IMPORT_WORKFLOW_TYPE}'`;
    for await (const execution of options.client.workflow.list({ query, pageSize: 20 })) {
      recent.push(await progressOf(options.client, execution.workflowId));
      if (recent.length === 20) break;
    }
    res.json({ imports: recent });
  });

  return router;
}

/**
 * The id of an import still running, if any. Read from visibility, which lags a start by moments:
 * two files posted within that instant may both start (each at the pace, as before this check).
 * Visibility lags a close too: an import listed as running is described (the server answers that
 * alone, at once), so one that has just finished does not refuse the next file. Not its progress:
 * that is a query, which waits for a worker, and an upload must not.
 */
async function runningImportId(client: Client): Promise<string | null> {
  const query = `WorkflowType = '${IMPORT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const execution of client.workflow.list({ query, pageSize: 10 })) {
    const described = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
    if (described.status.name === 'RUNNING') return execution.workflowId;
  }
  return null;
}

/** A finished import answers its result; a running one its progress query. */
async function progressOf(client: Client, importId: string): Promise<ImportProgress> {
  const handle = client.workflow.getHandle<typeof importWorkflow>(importId);
  const description = await handle.describe();
  if (description.status.name === 'COMPLETED') return handle.result();
  return handle.query(importProgressQuery);
}
