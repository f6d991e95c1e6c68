// The import's activities, as its workflow sees them (src/workflows/import.ts).
import type { RowIssue } from '../import/import-rows';

export interface ImportChunkInput {
  importId: string;
  chunk: number;
  /** The envelope time of every row's event (fixed per import, so a retry sends the same). */
  importedAt: string;
  /** Pace of deliveries, so an import never floods Temporal or, through the people, SALTO KS. */
  rowsPerSecond: number;
}

export interface ImportChunkResult {
  rows: number;
  /** Rows handed to their workflow (a row already imported is handed again, and changes nothing). */
  delivered: number;
  /** Rows per kind (member, reservation, …) that were delivered. */
  byKind: Record<string, number>;
  issues: RowIssue[];
}

export interface ImportActivities {
  importChunk(input: ImportChunkInput): Promise<ImportChunkResult>;
  /** Deletes the staged chunks once every row was handled. */
  discardImport(input: { importId: string }): Promise<void>;
}
