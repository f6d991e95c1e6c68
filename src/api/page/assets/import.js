// @ts-check
// Import: an NDJSON or JSON file of snapshot rows (docs/import.md) is sent as is (the API streams
// it), then the import workflow's progress is shown as a bar until it is done, with the rows it
// refused by number and field.
import { errorText, get, upload } from './api.js';
import { announce, busy, byId, h, showError, swap } from './dom.js';

const POLL_MS = 1000;

/** @typedef {{ row: number; field: string; message: string }} RowIssue */
/**
 * @typedef {{ importId: string; fileName: string; status: 'running' | 'done'; rows: number;
 *   rowsDone: number; delivered: number; byKind: Record<string, number>; issueCount: number;
 *   issues: RowIssue[] }} ImportProgress
 */

/** @type {string | null} */
let following = null;

/** @param {File} file */
function contentTypeOf(file) {
  if (/\.(ndjson|jsonl)$/i.test(file.name)) return 'application/x-ndjson';
  if (/\.json$/i.test(file.name)) return 'application/json';
  return null;
}

/** @param {ImportProgress} p */
function renderProgress(p) {
  const done = p.status === 'done';
  const kinds = Object.entries(p.byKind)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  swap(
    byId('import-progress'),
    h('p', {}, h('strong', {}, p.fileName), ` — import ${p.importId}`),
    h('progress', {
      id: 'import-bar',
      max: Math.max(1, p.rows),
      value: p.rowsDone,
      'aria-labelledby': 'import-status',
    }),
    h(
      'p',
      { id: 'import-status' },
      done ? 'Done: ' : 'Importing: ',
      `${p.rowsDone} of ${p.rows} rows, ${p.delivered} imported${kinds ? ` (${kinds})` : ''}, ${p.issueCount} refused.`,
    ),
    p.issues.length > 0 &&
      h(
        'div',
        {},
        h('h3', {}, 'Rows refused'),
        h(
          'ul',
          { id: 'import-issues' },
          p.issues.map((i) => h('li', {}, `Row ${i.row}, ${i.field}: ${i.message}`)),
        ),
        p.issueCount > p.issues.length &&
          h('p', { class: 'hint' }, `… and ${p.issueCount - p.issues.length} more.`),
      ),
  );
}

/** Polls the import until it is done (or another import is followed instead). */
async function follow(/** @type {string} */ importId) {
  following = importId;
  // Clears only the error it showed itself: a refusal of the file the operator just chose stays.
  let readFailed = false;
  for (;;) {
    if (following !== importId) return;
    try {
      /** @type {ImportProgress} */
      const progress = await get(`/api/imports/${encodeURIComponent(importId)}`);
      if (following !== importId) return; // another import started meanwhile: never show this one's
      renderProgress(progress);
      if (readFailed) showError('import-error', null);
      readFailed = false;
      if (progress.status === 'done') {
        announce(`Import done: ${progress.delivered} rows imported, ${progress.issueCount} refused.`);
        return;
      }
    } catch (err) {
      showError('import-error', `Reading the import's progress failed: ${errorText(err)} (trying again)`);
      readFailed = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function wireImport() {
  const form = /** @type {HTMLFormElement} */ (byId('import-form'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('import-file'));
    const file = input.files?.[0];
    if (!file) {
      showError('import-error', 'Choose a file to import.');
      return;
    }
    const contentType = contentTypeOf(file);
    if (!contentType) {
      showError(
        'import-error',
        'The file must be .ndjson, .jsonl or .json (see the format in docs/import.md).',
      );
      return;
    }
    void busy(byId('import-submit'), async () => {
      try {
        const answer = await upload(`/api/import?name=${encodeURIComponent(file.name)}`, file, contentType);
        showError('import-error', null);
        announce(`Import started: ${answer.rows} rows.`);
        void follow(answer.importId);
      } catch (err) {
        showError('import-error', errorText(err));
      }
    });
  });
}

/** After sign-in: an import still running (started here or elsewhere) is shown and followed. */
export async function showRunningImport() {
  if (following) return;
  /** @type {{ imports: ImportProgress[] }} */
  const recent = await get('/api/imports');
  const running = recent.imports.find((i) => i.status === 'running');
  if (running) void follow(running.importId);
}
