// The import file is cut into rows as it streams in: whatever the chunk boundaries, the rows that
// come out are the values that went in, numbered from 1, and a file that is not a closed array
// of rows is refused by name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ImportFileError,
  MAX_ROW_BYTES,
  splitRows,
  type ImportFormat,
  type SplitRow,
} from '../../src/import/row-splitter';

async function* inPieces(text: string, cuts: number[]): AsyncGenerator<Buffer> {
  await Promise.resolve(); // as a stream would: the first piece comes later
  const bytes = Buffer.from(text);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(bytes.length, cut);
    if (end > at) {
      yield bytes.subarray(at, end); // may split a multi-byte character: the decoder must cope
      at = end;
    }
  }
  yield bytes.subarray(at);
}

async function rowsOf(text: string, format: ImportFormat, cuts: number[] = []): Promise<SplitRow[]> {
  const rows: SplitRow[] = [];
  for await (const row of splitRows(inPieces(text, cuts), format)) rows.push(row);
  return rows;
}

// Objects with awkward strings: brackets, commas, quotes, escapes, newlines inside strings, emoji.
const awkward = fc.string({
  unit: fc.constantFrom('a', '[', ']', '{', '}', ',', '"', '\\', '\n', 'é', '😀', ' '),
});
const value = fc.record({
  kind: awkward,
  data: fc.dictionary(awkward, fc.oneof(awkward, fc.integer(), fc.array(awkward, { maxLength: 3 }))),
});

describe('splitRows', () => {
  it('gives back the rows of a JSON array, whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(value, { maxLength: 12 }),
        fc.array(fc.nat(4000), { maxLength: 8 }),
        async (values, cuts) => {
          const text = ` \n[${values.map((v) => JSON.stringify(v, null, values.length % 2 ? 1 : 0)).join(' ,\n')}]\n`;
          const rows = await rowsOf(text, 'json', cuts);
          assert.deepEqual(
            rows.map((r) => [r.row, JSON.parse(r.text) as unknown]),
            values.map((v, i) => [i + 1, v]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives back the lines of NDJSON, numbered by line, skipping blank ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(value, { maxLength: 12 }),
        fc.array(fc.nat(4000), { maxLength: 8 }),
        async (values, cuts) => {
          // JSON.stringify escapes newlines inside strings: one value per line.
          const lines = values.flatMap((v, i) =>
            i % 3 === 2 ? ['', JSON.stringify(v)] : [JSON.stringify(v)],
          );
          const rows = await rowsOf(lines.join('\r\n'.slice(values.length % 2)) + '\n', 'ndjson', cuts);
          assert.deepEqual(
            rows.map((r) => JSON.parse(r.text) as unknown),
            values,
          );
          const expectedLines = lines.flatMap((l, i) => (l === '' ? [] : [i + 1]));
          assert.deepEqual(
            rows.map((r) => r.row),
            expectedLines,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('marks a row over the size limit instead of holding it, and goes on with the next', async () => {
    const huge = JSON.stringify({ kind: 'member', data: { note: 'x'.repeat(MAX_ROW_BYTES + 10) } });
    const ndjson = await rowsOf(`{"a":1}\n${huge}\n{"b":2}\n`, 'ndjson', [100, 70_000, 200_000]);
    assert.deepEqual(ndjson, [
      { row: 1, text: '{"a":1}' },
      { row: 2, text: '', tooLarge: true },
      { row: 3, text: '{"b":2}' },
    ]);
    const json = await rowsOf(`[{"a":1},${huge},{"b":2}]`, 'json', [100, 70_000]);
    assert.deepEqual(json, [
      { row: 1, text: '{"a":1}' },
      { row: 2, text: '', tooLarge: true },
      { row: 3, text: '{"b":2}' },
    ]);
  });

  it('refuses a JSON file that is not an array, is empty, is cut off, or goes on after the array', async () => {
    const refusal = async (text: string): Promise<string> => {
      try {
        await rowsOf(text, 'json');
      } catch (error) {
        assert.ok(error instanceof ImportFileError);
        return error.message;
      }
      throw new Error(`accepted ${JSON.stringify(text)}`);
    };
    assert.match(await refusal('{"kind":"member"}'), /must be an array of rows/);
    assert.match(await refusal('   '), /file is empty/);
    assert.match(await refusal('[{"a":1},{"b":"[2]'), /not closed \(the file ends inside row 2\)/);
    assert.match(await refusal('[{"a":1}] [{"b":2}]'), /after the closing \]/);
    assert.deepEqual(await rowsOf('\uFEFF[]', 'json'), []);
  });
});
