// @ts-check
// The health panel: whether Temporal, a worker, SALTO KS, the periodic reconciliation and the
// people's sync work now, and since when one has not (GET /api/health).
import { get } from './api.js';
import { byId, h, swap } from './dom.js';
import { when } from './format.js';

/**
 * @typedef {{ name: string; ok: boolean; detail: string; failingSince: string | null }} HealthCheck
 * @typedef {{ checkedAt: string; ok: boolean; checks: HealthCheck[] }} HealthReport
 */

const LABELS = /** @type {Record<string, string>} */ ({
  temporal: 'Temporal',
  worker: 'Worker',
  salto: 'SALTO KS',
  reconciliation: 'Reconciliation',
  people: 'People in sync',
});

let rendered = '';

/** @param {HealthReport} report */
function render(report) {
  // checkedAt changes on every read: only a change in what the checks say redraws the panel.
  const key = JSON.stringify(report.checks);
  if (key === rendered) return;
  rendered = key;
  swap(
    byId('health-body'),
    h(
      'ul',
      { class: 'health-list', id: 'health-list' },
      report.checks.map((c) =>
        h(
          'li',
          { id: `health-${c.name}`, 'data-ok': String(c.ok) },
          h('span', { class: `state ${c.ok ? 'ok' : 'warn'}` }, c.ok ? '✓ ' : '✗ ', LABELS[c.name] ?? c.name),
          ': ',
          c.detail,
          !c.ok &&
            c.failingSince &&
            h('span', { class: 'hint' }, ` — not working since ${when(c.failingSince)}`),
        ),
      ),
    ),
    h('p', { class: 'hint', id: 'health-checked' }, `Checked ${when(report.checkedAt)}.`),
  );
}

/** Reads and shows the health report; a failure to read it is the caller's to show. */
export async function refreshHealth() {
  /** @type {HealthReport} */
  const report = await get('/api/health');
  render(report);
}

export function resetHealth() {
  rendered = '';
}
