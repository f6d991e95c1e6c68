// The import's work: one chunk of staged rows at a time, each validated as the webhook validates
// a body and handed to its workflow exactly as the webhook would (deliveryFor + deliver). A bad
// row is reported with its number and field and skipped; Temporal out of reach fails the
// activity, which retries the chunk (its rows are the same events again: no-ops where done).
import { Context } from '@temporalio/activity';
import { ApplicationFailure, type Client } from '@temporalio/client';
import { deliver, deliveryFor, type RouterOptions } from '../api/event-router';
import { personStartSource, reservationStartSource, setupForStarts } from '../api/person-start';
import { DEMO_EMAIL_LOOKUP_KEY } from '../shared/email-lookup';
import { eventForRow, type RowIssue } from '../import/import-rows';
import { MAX_ROW_BYTES } from '../import/row-splitter';
import { mapWithConcurrency } from '../salto/concurrency';
import type { ImportStaging } from '../import/import-staging';
import type { ImportActivities, ImportChunkResult } from './import-types';

export interface ImportDeps {
  client: Client;
  taskQueue: string;
  defaultLeadMinutes: number;
  defaultLagMinutes: number;
  /** Absent on a worker that was not given a staging directory. */
  staging?: ImportStaging;
  /** The key of the e-mail search attribute (EMAIL_LOOKUP_KEY); absent: the public demo key. */
  emailLookupSecret?: Buffer;
}

/** Deliveries in flight at once within a chunk. */
const IN_FLIGHT = 4;

export function createImportActivities(deps: ImportDeps): ImportActivities {
  // As the webhook does: a new person or reservation starts with the set-up (read at most once a
  // second for all rows in flight), and a person with its e-mail's hash, so its first pass reads
  // nothing (src/api/person-start.ts).
  const setup = setupForStarts({ client: deps.client });
  const router: RouterOptions = {
    client: deps.client,
    taskQueue: deps.taskQueue,
    setupDefaults: {
      reservationLeadMinutes: deps.defaultLeadMinutes,
      reservationLagMinutes: deps.defaultLagMinutes,
    },
    personStart: personStartSource({
      client: deps.client,
      emailSecret: deps.emailLookupSecret ?? DEMO_EMAIL_LOOKUP_KEY,
      setup,
    }),
    reservationStart: reservationStartSource(setup),
  };
  const staging = (): ImportStaging => {
    if (!deps.staging) {
      throw ApplicationFailure.nonRetryable(
        'this worker has no import staging directory',
        'ImportNotConfigured',
      );
    }
    return deps.staging;
  };

  return {
    async importChunk({ importId, chunk, importedAt, rowsPerSecond }): Promise<ImportChunkResult> {
      const rows = await staging().readChunk(importId, chunk);
      const result: ImportChunkResult = { rows: rows.length, delivered: 0, byKind: {}, issues: [] };
      const started = Date.now();
      await mapWithConcurrency(rows, IN_FLIGHT, async (row) => {
        if (row.tooLarge) {
          result.issues.push({
            row: row.row,
            field: '(row)',
            message: `longer than ${MAX_ROW_BYTES} bytes`,
          });
          return;
        }
        const parsed = eventForRow(row.row, row.text, importedAt);
        if (!parsed.ok) {
          result.issues.push(...parsed.issues);
          return;
        }
        // Pace: the n-th delivery of this chunk waits until n / rowsPerSecond seconds passed.
        const due = started + (result.delivered * 1000) / rowsPerSecond;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        await deliver(router, deliveryFor(parsed.event));
        result.delivered++;
        const kind = kindOf(parsed.event.type);
        result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
        Context.current().heartbeat({ delivered: result.delivered });
      });
      result.issues.sort((a: RowIssue, b: RowIssue) => a.row - b.row);
      return result;
    },

    async discardImport({ importId }): Promise<void> {
      await staging().discard(importId);
    },
  };
}

function kindOf(eventType: string): string {
  return eventType.slice(0, eventType.indexOf('.'));
}
