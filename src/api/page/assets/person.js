// @ts-check
// One person: why each group is there (which billing, master or reservation gives it), whether
// SALTO KS holds it yet, their reservations' access windows, a resync button and the way to
// their workflow in the Temporal Web UI.
import { errorText, get, request } from './api.js';
import { announce, busy, byId, h, showError, swap } from './dom.js';
import { kindText, reasonText, syncText, when } from './format.js';
import { groupName, loadGroupsOf, siteName, store } from './store.js';

const detail = {
  /** @type {string | null} */
  personId: null,
  /** @type {any} */
  view: null,
  /** @type {any[] | null} GET …/history: newest first */
  history: null,
  /** @type {string | null} */
  error: null,
  rendered: '',
  /** The "access at an instant" form: its value (datetime-local, the browser's zone) and answer. */
  preview: { at: '', /** @type {any} */ answer: null, /** @type {string | null} */ error: null },
};

export function selectedPerson() {
  return detail.personId;
}

/** @param {string} personId */
function workflowLink(personId) {
  const { temporalUiUrl, namespace } = store.config;
  if (!temporalUiUrl) return null;
  const href = `${temporalUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(`person-${personId}`)}`;
  return h(
    'a',
    { href, target: '_blank', rel: 'noopener noreferrer', id: 'person-workflow-link' },
    'Open the workflow in the Temporal Web UI',
  );
}

/** @param {any} view */
function groupsTable(view) {
  const siteIds = [...new Set([...Object.keys(view.desired), ...Object.keys(view.applied)])].sort();
  /** @type {HTMLElement[]} */
  const rows = [];
  for (const siteId of siteIds) {
    const desired = view.desired[siteId] ?? [];
    const applied = view.applied[siteId] ?? [];
    for (const groupId of [...new Set([...desired, ...applied])].sort()) {
      const reasons = view.reasons?.[siteId]?.[groupId] ?? [];
      const held = applied.includes(groupId);
      const wanted = desired.includes(groupId);
      const state = held && wanted ? 'Held' : wanted ? 'Being added' : 'Being removed';
      rows.push(
        h(
          'tr',
          { 'data-group-id': groupId },
          h('td', { 'data-label': 'Site' }, siteName(siteId)),
          h('th', { scope: 'row', 'data-label': 'Group' }, groupName(siteId, groupId)),
          h(
            'td',
            { 'data-label': 'Why' },
            reasons.length
              ? h(
                  'ul',
                  { class: 'plain' },
                  reasons.map((/** @type {any} */ r) => h('li', {}, reasonText(r))),
                )
              : h('span', { class: 'muted' }, 'No reason any more'),
          ),
          h('td', { 'data-label': 'In SALTO KS', class: held === wanted ? 'ok' : 'warn' }, state),
        ),
      );
    }
  }
  if (rows.length === 0) return h('p', {}, 'No access group: nothing this person holds gives access.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'cards', id: 'person-groups' },
      h('caption', {}, 'Access groups and why'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Site', 'Group', 'Why', 'In SALTO KS'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** @param {any[]} reservations */
function reservationsTable(reservations) {
  if (reservations.length === 0) return h('p', {}, 'No reservations.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'cards', id: 'person-reservations' },
      h('caption', {}, 'Reservations'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Reservation', 'Booked', 'Door access', 'State'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        reservations.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row', 'data-label': 'Reservation' }, r.id),
            h('td', { 'data-label': 'Booked' }, `${when(r.start)} – ${when(r.end)}`),
            h('td', { 'data-label': 'Door access' }, `${when(r.windowStart)} – ${when(r.windowEnd)}`),
            h('td', { 'data-label': 'State' }, r.state),
          ),
        ),
      ),
    ),
  );
}

/** @param {any} cause */
function causeText(cause) {
  switch (cause?.kind) {
    case 'events':
      return `after ${cause.events.map((/** @type {any} */ e) => `${e.type} (${e.eventId})`).join(', ')}`;
    case 'time':
      return `by itself at ${when(cause.at)}`;
    case 'retry':
      return `on retry ${cause.attempt}`;
    case 'check':
      return 'on a scheduled check';
    default:
      return '';
  }
}

/** @param {any} entry */
function timelineItem(entry) {
  if (entry.kind === 'failure')
    return h(
      'li',
      { class: 'warn' },
      `${when(entry.at)}: SALTO KS failed (${entry.message}), ${causeText(entry.cause)}`,
    );
  if (entry.kind === 'recovered')
    return h(
      'li',
      { class: 'ok' },
      `${when(entry.at)}: in sync again${entry.failedFor ? `, after failing since ${when(entry.failedFor)}` : ''}`,
    );
  const what = `${entry.action === 'added' ? 'Added to' : 'Removed from'} ${groupName(entry.siteId, entry.groupId)} at ${siteName(entry.siteId)}`;
  const why =
    entry.action === 'added'
      ? entry.reasons.map((/** @type {any} */ r) => reasonText(r)).join('; ')
      : 'no rule gives it any more';
  return h(
    'li',
    { 'data-group-id': entry.groupId, 'data-action': entry.action },
    `${when(entry.at)}: ${what}`,
    entry.repair ? ' (repair: SALTO KS showed otherwise)' : '',
    ` — ${why}, ${causeText(entry.cause)}`,
  );
}

/** What reached SALTO KS, newest first. @param {any[]} entries */
function timeline(entries) {
  return h(
    'div',
    { id: 'person-history' },
    h('h3', {}, 'What happened'),
    entries.length === 0
      ? h('p', { class: 'muted' }, 'Nothing has reached SALTO KS for this person yet.')
      : h('ol', { class: 'timeline', reversed: true }, entries.map(timelineItem)),
  );
}

/** The groups a preview gives, with why, or a line saying there are none. @param {any} answer */
function previewResult(answer) {
  /** @type {HTMLElement[]} */
  const items = [];
  for (const [siteId, groupIds] of Object.entries(answer.desired ?? {})) {
    for (const groupId of /** @type {string[]} */ (groupIds)) {
      const reasons = answer.reasons?.[siteId]?.[groupId] ?? [];
      items.push(
        h(
          'li',
          { 'data-group-id': groupId },
          `${groupName(siteId, groupId)} at ${siteName(siteId)}: `,
          reasons.map((/** @type {any} */ r) => reasonText(r)).join('; '),
        ),
      );
    }
  }
  return h(
    'div',
    { id: 'person-preview-result', role: 'status' },
    h('p', {}, `At ${when(answer.at)}:`),
    items.length ? h('ul', {}, items) : h('p', {}, 'No access group at that instant.'),
    h(
      'p',
      { class: 'muted small' },
      answer.changesNextAt
        ? `Changes next by itself at ${when(answer.changesNextAt)}.`
        : 'No change by itself after that.',
    ),
  );
}

/**
 * "What will they hold on Monday?": the rules at that instant over what Deskworks has said so far.
 * @param {string} personId
 * @param {() => void} rerender
 */
function previewForm(personId, rerender) {
  const input = h('input', {
    type: 'datetime-local',
    id: 'person-preview-at',
    value: detail.preview.at,
    required: true,
  });
  // Kept as typed: the page re-renders the person when its access changes.
  input.addEventListener('input', () => {
    detail.preview.at = /** @type {HTMLInputElement} */ (input).value;
  });
  const show = h('button', { type: 'submit' }, 'Show');
  const form = h(
    'form',
    { id: 'person-preview', class: 'inline' },
    h('label', { for: 'person-preview-at' }, 'Day and time'),
    input,
    show,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = /** @type {HTMLInputElement} */ (input).value;
    void busy(show, async () => {
      detail.preview = { at: value, answer: null, error: null };
      const instant = new Date(value);
      try {
        if (Number.isNaN(instant.getTime())) throw new Error('Pick a day and a time.');
        const at = encodeURIComponent(instant.toISOString());
        detail.preview.answer = await get(`/api/people/${encodeURIComponent(personId)}/access?at=${at}`);
        await loadGroupsOf(Object.keys(detail.preview.answer.desired ?? {}));
      } catch (err) {
        detail.preview.error = errorText(err);
      }
      rerender();
    });
  });
  return h(
    'section',
    { 'aria-labelledby': 'person-preview-title' },
    h('h3', { id: 'person-preview-title' }, 'Access at another instant'),
    h(
      'p',
      { class: 'hint' },
      'From what Deskworks has said so far: their plans, reservations not cancelled and, for a co-member, the master’s plans then.',
    ),
    form,
    detail.preview.error ? h('p', { class: 'error', role: 'alert' }, detail.preview.error) : null,
    detail.preview.answer ? previewResult(detail.preview.answer) : null,
  );
}

/** @param {(id: string) => void} openPerson */
function renderDetail(openPerson) {
  const section = byId('person');
  section.hidden = detail.personId === null;
  if (detail.personId === null) return;
  const personId = detail.personId;
  const view = detail.view;
  byId('person-title').textContent = view?.name
    ? `${view.name.firstName} ${view.name.lastName} (${personId})`
    : `Person ${personId}`;
  const resync = h('button', { type: 'button', id: 'person-resync' }, 'Resync with SALTO KS');
  resync.addEventListener('click', () => {
    void busy(resync, async () => {
      try {
        await request('POST', `/api/people/${encodeURIComponent(personId)}/resync`);
        showError('person-resync-error', null);
        announce('Resync asked for: SALTO KS is read again and any drift repaired.');
        byId('person-resync-note').textContent = `Resync asked for at ${new Date().toLocaleTimeString()}.`;
      } catch (err) {
        showError('person-resync-error', errorText(err));
      }
    });
  });
  /** @param {string} id */
  const personButton = (id) => {
    const b = h('button', { type: 'button', class: 'link' }, id);
    b.addEventListener('click', () => openPerson(id));
    return b;
  };
  swap(
    byId('person-body'),
    detail.error ? h('p', { class: 'error', role: 'alert' }, detail.error) : null,
    view
      ? [
          h(
            'dl',
            { class: 'facts', id: 'person-facts' },
            view.email ? [h('dt', {}, 'E-mail'), h('dd', { id: 'person-email' }, view.email)] : null,
            h('dt', {}, 'Kind'),
            h('dd', {}, kindText(view.kind)),
            h('dt', {}, 'Status'),
            h('dd', {}, view.status),
            h('dt', {}, 'SALTO KS'),
            h(
              'dd',
              { id: 'person-sync', class: view.inSync ? 'ok' : 'warn' },
              syncText(view.inSync),
              view.lastSyncAt ? `, last synced ${when(view.lastSyncAt)}` : '',
            ),
            h('dt', {}, 'Last error'),
            h('dd', { id: 'person-last-error' }, view.lastError ?? 'none'),
            view.warnings?.length ? [h('dt', {}, 'Warnings'), h('dd', {}, view.warnings.join('; '))] : null,
            view.masterId ? [h('dt', {}, 'Co-member of'), h('dd', {}, personButton(view.masterId))] : null,
            Object.keys(view.sharedWith ?? {}).length
              ? [
                  h('dt', {}, 'Same e-mail as'),
                  h(
                    'dd',
                    { id: 'person-shared-with' },
                    [...new Set(Object.values(view.sharedWith))].map(personButton),
                    ' (that record owns the SALTO KS user and holds these groups for this one)',
                  ),
                ]
              : null,
            view.comemberIds?.length
              ? [h('dt', {}, 'Co-members'), h('dd', {}, view.comemberIds.map(personButton))]
              : null,
            h('dt', {}, 'Next change by itself'),
            h('dd', {}, when(view.nextChangeAt)),
          ),
          groupsTable(view),
          reservationsTable(view.reservations ?? []),
          previewForm(personId, () => renderDetail(openPerson)),
          timeline(detail.history ?? []),
        ]
      : null,
    h('div', { class: 'actions' }, resync, workflowLink(personId)),
  );
}

/** @param {(id: string) => void} openPerson */
export async function refreshPerson(openPerson) {
  if (detail.personId === null) return;
  try {
    detail.view = await get(`/api/people/${encodeURIComponent(detail.personId)}/access`);
    detail.history = (await get(`/api/people/${encodeURIComponent(detail.personId)}/history`)).entries;
    detail.error = null;
    await loadGroupsOf([...Object.keys(detail.view.desired), ...Object.keys(detail.view.applied)]);
  } catch (err) {
    detail.error = errorText(err);
  }
  const answer = JSON.stringify([detail.personId, detail.view, detail.history, detail.error]);
  if (answer !== detail.rendered) {
    detail.rendered = answer;
    renderDetail(openPerson);
  }
}

/**
 * @param {string | null} personId
 * @param {(id: string) => void} openPerson
 */
export async function showPerson(personId, openPerson) {
  detail.personId = personId;
  detail.view = null;
  detail.history = null;
  detail.error = null;
  detail.rendered = '';
  detail.preview = { at: '', answer: null, error: null };
  byId('person-resync-note').textContent = '';
  showError('person-resync-error', null);
  renderDetail(openPerson);
  await refreshPerson(openPerson);
}
