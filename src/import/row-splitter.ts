// Cuts an import file into rows as it streams in, holding one row at a time: NDJSON (one JSON
// value per line) or a JSON array of values. The rows are not parsed here, only delimited (a
// string's brackets and escaped quotes do not count), so a bad row is reported by number later
// and never stops the rest.

export const MAX_ROW_BYTES = 256 * 1024; // a row is at most what one webhook body may be

export interface SplitRow {
  /** 1-based. */
  row: number;
  text: string;
  /** Set when the row was cut off for its size: its text is then empty. */
  tooLarge?: boolean;
}

export type ImportFormat = 'ndjson' | 'json';

/** The format a file name says: .ndjson or .jsonl, or .json; null for anything else. */
export function formatOfFileName(name: string): ImportFormat | null {
  if (/\.(ndjson|jsonl)$/i.test(name)) return 'ndjson';
  if (/\.json$/i.test(name)) return 'json';
  return null;
}

export class ImportFileError extends Error {}

/** Rows of `chunks` (Buffers or strings, e.g. a request or a file stream), one at a time. */
export async function* splitRows(
  chunks: AsyncIterable<Buffer | string>,
  format: ImportFormat,
): AsyncGenerator<SplitRow> {
  yield* format === 'ndjson' ? splitLines(chunks) : splitJsonArray(chunks);
}

async function* splitLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<SplitRow> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let line = 0;
  let oversized = false;
  const finish = function* (text: string): Generator<SplitRow> {
    line++;
    if (oversized || text.length > MAX_ROW_BYTES) {
      oversized = false;
      yield { row: line, text: '', tooLarge: true };
    } else if (text.trim() !== '') yield { row: line, text };
  };
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      yield* finish(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
    if (pending.length > MAX_ROW_BYTES) {
      oversized = true; // keep reading to the end of this line, but not its text
      pending = '';
    }
  }
  pending += decoder.decode();
  if (pending !== '' || oversized) yield* finish(pending);
}

async function* splitJsonArray(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<SplitRow> {
  const decoder = new TextDecoder('utf-8');
  let started = false; // the opening [ was seen
  let ended = false; // the closing ] was seen
  let depth = 0; // inside the array: nesting of the current element
  let inString = false;
  let escaped = false;
  let current = '';
  let oversized = false;
  let row = 0;
  const take = (): SplitRow | null => {
    const text = current.trim();
    current = '';
    if (text === '' && !oversized) return null;
    row++;
    const answer = oversized ? { row, text: '', tooLarge: true } : { row, text };
    oversized = false;
    return answer;
  };
  const consume = function* (text: string): Generator<SplitRow> {
    for (const ch of text) {
      if (ended) {
        if (ch.trim() !== '')
          throw new ImportFileError('unexpected text after the closing ] of the JSON array');
        continue;
      }
      if (!started) {
        if (ch === '[') started = true;
        else if (ch.trim() !== '' && ch !== '\uFEFF')
          throw new ImportFileError('a JSON import file must be an array of rows: [ {…}, {…} ]');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) {
          // the array's own ]
          const last = take();
          if (last) yield last;
          ended = true;
          continue;
        }
        depth--;
      } else if (ch === ',' && depth === 0) {
        const next = take();
        if (next) yield next;
        continue;
      }
      if (oversized) continue;
      current += ch;
      if (current.length > MAX_ROW_BYTES) {
        oversized = true;
        current = '';
      }
    }
  };
  for await (const chunk of chunks) {
    yield* consume(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  yield* consume(decoder.decode());
  if (!started) throw new ImportFileError('the file is empty: expected a JSON array of rows');
  if (!ended) {
    const last = take();
    if (last) yield last;
    throw new ImportFileError(
      `the JSON array is not closed (the file ends inside row ${row + (current ? 1 : 0)})`,
    );
  }
}
