// @ts-check
// Everyone the service keeps in step, paged from GET /api/people (Temporal visibility), each row
// with its state, its last error and the groups SALTO KS holds for it now.
import { errorText, get } from './api.js';
import { byId, h, idPart, swap } from './dom.js';
import { kindText, syncText, when } from './format.js';
import { centerName, groupName, loadGroupsOf, siteName, store } from './store.js';

export const PAGE_SIZE = 25;

const people = {
  /** `find`: an exact e-mail (with an @) or Deskworks id. */
  filters: { center: '', kind: '', outOfSync: false, find: '' },
  /** Tokens of the pages before the current one; the current page's token is the last. */
  tokens: /** @type {(string | null)[]} */ ([null]),
  /** @type {any[]} */
  items: [],
  /** @type {string | null} */
  nextPageToken: null,
  /** @type {string | null} */
  error: null,
  /** The last rendered answer, so an unchanged refresh leaves the table (and the focus) alone. */
  rendered: '',
  /** @type {Date | null} */
  updatedAt: null,
};

function query() {
  const params = new URLSearchParams({ pageSize: String(PAGE_SIZE), include: 'access' });
  if (people.filters.center) params.set('center', people.filters.center);
  if (people.filters.kind) params.set('kind', people.filters.kind);
  if (people.filters.outOfSync) params.set('outOfSync', 'true');
  if (people.filters.find)
    params.set(people.filters.find.includes('@') ? 'email' : 'personId', people.filters.find);
  const token = people.tokens[people.tokens.length - 1];
  if (token) params.set('pageToken', token);
  return `/api/people?${params}`;
}

export async function loadPeople() {
  try {
    const answer = await get(query());
    people.items = answer.items;
    people.nextPageToken = answer.nextPageToken;
    people.error = null;
    people.updatedAt = new Date();
    await loadGroupsOf(people.items.flatMap((p) => Object.keys(p.access?.applied ?? {})));
  } catch (err) {
    people.error = errorText(err);
  }
}

/** @param {Record<string, string[]>} bySite */
function groupsCell(bySite) {
  const sites = Object.entries(bySite ?? {});
  if (sites.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'ul',
    { class: 'plain' },
    sites.map(([siteId, groups]) =>
      h(
        'li',
        {},
        h('span', { class: 'site' }, `${siteName(siteId)}: `),
        groups.map((g) => groupName(siteId, g)).join(', '),
      ),
    ),
  );
}

/**
 * @param {any} person
 * @param {(id: string) => void} openPerson
 */
function personRow(person, openPerson) {
  const access = person.access;
  const inSync = access ? access.inSync : person.inSync;
  const open = h(
    'button',
    { type: 'button', class: 'link', id: `person-open-${idPart(person.personId)}` },
    person.name ? `${person.name.firstName} ${person.name.lastName}` : person.personId,
  );
  open.addEventListener('click', () => openPerson(person.personId));
  const email = person.email ?? access?.email ?? null;
  return h(
    'tr',
    { 'data-person-id': person.personId },
    h(
      'th',
      { scope: 'row', 'data-label': 'Person' },
      open,
      person.name ? h('span', { class: 'muted small' }, ` ${person.personId}`) : null,
    ),
    h('td', { 'data-label': 'E-mail' }, email ?? h('span', { class: 'muted' }, 'not known yet')),
    h('td', { 'data-label': 'Kind' }, kindText(person.kind)),
    h('td', { 'data-label': 'Status' }, access?.status ?? '—'),
    h(
      'td',
      { 'data-label': 'In sync', class: inSync ? 'ok' : 'warn' },
      syncText(inSync),
      access?.lastSyncAt ? h('span', { class: 'muted small' }, ` ${when(access.lastSyncAt)}`) : null,
    ),
    h(
      'td',
      { 'data-label': 'Last error' },
      access?.lastError ?? person.accessError ?? h('span', { class: 'muted' }, 'none'),
    ),
    h('td', { 'data-label': 'Groups in SALTO KS' }, groupsCell(access?.applied)),
  );
}

/** @param {(id: string) => void} openPerson */
function renderTable(openPerson) {
  const page = people.tokens.length;
  const previous = h(
    'button',
    { type: 'button', id: 'people-previous', class: 'secondary', disabled: page === 1 },
    'Previous page',
  );
  const next = h(
    'button',
    { type: 'button', id: 'people-next', class: 'secondary', disabled: !people.nextPageToken },
    'Next page',
  );
  previous.addEventListener('click', () => {
    people.tokens.pop();
    void refreshPeople(openPerson);
  });
  next.addEventListener('click', () => {
    people.tokens.push(people.nextPageToken);
    void refreshPeople(openPerson);
  });
  swap(
    byId('people-list'),
    people.error
      ? h('p', { class: 'error', role: 'alert' }, `The list could not be read: ${people.error}`)
      : null,
    people.items.length === 0 && !people.error
      ? h(
          'p',
          { id: 'people-empty' },
          people.filters.find
            ? `Nobody is ${people.filters.find}.`
            : 'Nobody here yet. People appear when Deskworks sends their events.',
        )
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'cards', id: 'people-table' },
            h('caption', { class: 'visually-hidden' }, 'People and their SALTO KS access'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Person', 'E-mail', 'Kind', 'Status', 'In sync', 'Last error', 'Groups in SALTO KS'].map(
                  (t) => h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              people.items.map((p) => personRow(p, openPerson)),
            ),
          ),
        ),
    h('div', { class: 'pager' }, previous, h('span', {}, `Page ${page}`), next),
  );
  byId('people-updated').textContent = people.updatedAt
    ? `Updated ${people.updatedAt.toLocaleTimeString()}; refreshes by itself.`
    : '';
}

/** @param {(id: string) => void} openPerson */
export async function refreshPeople(openPerson) {
  await loadPeople();
  const answer = JSON.stringify([people.items, people.nextPageToken, people.error, people.tokens.length]);
  if (answer !== people.rendered) {
    people.rendered = answer;
    renderTable(openPerson);
  } else {
    byId('people-updated').textContent =
      `Updated ${people.updatedAt?.toLocaleTimeString() ?? ''}; refreshes by itself.`;
  }
}

/** The filter controls: a change starts again from the first page. @param {(id: string) => void} openPerson */
export function renderPeopleFilters(openPerson) {
  const centers = store.setup?.centers ?? [];
  const center = /** @type {HTMLSelectElement} */ (byId('people-center'));
  swap(
    center,
    h('option', { value: '' }, 'All centers'),
    centers.map((c) =>
      h('option', { value: c.id, selected: c.id === people.filters.center }, centerName(c.id)),
    ),
  );
  const kind = /** @type {HTMLSelectElement} */ (byId('people-kind'));
  const outOfSync = /** @type {HTMLInputElement} */ (byId('people-out-of-sync'));
  const find = /** @type {HTMLInputElement} */ (byId('people-find'));
  const apply = () => {
    people.filters = {
      center: center.value,
      kind: kind.value,
      outOfSync: outOfSync.checked,
      find: find.value.trim(),
    };
    people.tokens = [null];
    void refreshPeople(openPerson);
  };
  center.onchange = apply;
  kind.onchange = apply;
  outOfSync.onchange = apply;
  // An exact address (found by its keyed hash) or id: searched once typed in full (Enter or leaving the field).
  find.onchange = apply;
  byId('people-filters').onsubmit = (event) => {
    event.preventDefault();
    apply();
  };
}
