// @ts-check
// "Who can open this door?": pick a site and one of its access groups, and see every person SALTO
// KS holds in it with the reason (GET /api/sites/:siteId/groups/:groupId/holders), or download
// them all as CSV for an audit.
import { errorText, get } from './api.js';
import { byId, h, idPart, swap } from './dom.js';
import { kindText, reasonText, when } from './format.js';
import { loadGroups, siteName, store } from './store.js';

const holders = {
  siteId: '',
  groupId: '',
  /** @type {any[] | null} */
  items: null,
  /** @type {string | null} */
  nextPageToken: null,
  /** @type {string | null} */
  error: null,
};

/** The sites of the mapped centers, each once. */
function mappedSites() {
  const ids = (store.setup?.centers ?? []).flatMap((c) => (c.saltoSiteId ? [c.saltoSiteId] : []));
  return [...new Set(ids)];
}

/** @param {string} siteId @param {string} groupId */
function holdersPath(siteId, groupId) {
  return `/api/sites/${encodeURIComponent(siteId)}/groups/${encodeURIComponent(groupId)}/holders`;
}

/** @param {any} reason */
function reasonWithWindow(reason) {
  const text = reasonText(reason);
  return reason.windowStart && reason.windowEnd
    ? `${text}, from ${when(reason.windowStart)} to ${when(reason.windowEnd)}`
    : text;
}

/** @param {any} holder @param {(id: string) => void} openPerson */
function holderRow(holder, openPerson) {
  const open = h(
    'button',
    { type: 'button', class: 'link', id: `holder-open-${idPart(holder.personId)}` },
    holder.name ? `${holder.name.firstName} ${holder.name.lastName}` : holder.personId,
  );
  open.addEventListener('click', () => openPerson(holder.personId));
  const why = holder.accessError
    ? h('span', { class: 'warn' }, `Unknown for now: ${holder.accessError}`)
    : holder.reasons.length === 0
      ? h('span', { class: 'warn' }, 'No rule gives it any more: being removed')
      : h(
          'ul',
          { class: 'plain' },
          holder.reasons.map((/** @type {any} */ r) => h('li', {}, reasonWithWindow(r))),
        );
  return h(
    'tr',
    { 'data-person-id': holder.personId },
    h(
      'th',
      { scope: 'row', 'data-label': 'Person' },
      open,
      holder.name ? h('span', { class: 'muted small' }, ` ${holder.personId}`) : null,
    ),
    h('td', { 'data-label': 'E-mail' }, holder.email ?? h('span', { class: 'muted' }, 'not known yet')),
    h('td', { 'data-label': 'Kind' }, kindText(holder.kind)),
    h('td', { 'data-label': 'Why' }, why),
  );
}

/** @param {(id: string) => void} openPerson */
function renderResult(openPerson) {
  const { siteId, groupId, items, error } = holders;
  if (!siteId || !groupId || (items === null && !error)) {
    swap(byId('holders-result'));
    return;
  }
  const more = h('button', { type: 'button', id: 'holders-more', class: 'secondary' }, 'Show more');
  more.addEventListener('click', () => void loadHolders(openPerson, true));
  swap(
    byId('holders-result'),
    error ? h('p', { class: 'error', role: 'alert' }, `The holders could not be read: ${error}`) : null,
    items && items.length === 0
      ? h('p', { id: 'holders-empty' }, 'Nobody holds this group in SALTO KS through this service.')
      : null,
    items && items.length > 0
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'cards', id: 'holders-table' },
            h('caption', { class: 'visually-hidden' }, 'People who hold the group, and why'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Person', 'E-mail', 'Kind', 'Why'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              items.map((holder) => holderRow(holder, openPerson)),
            ),
          ),
        )
      : null,
    h(
      'div',
      { class: 'actions' },
      holders.nextPageToken ? more : null,
      h(
        'a',
        { id: 'holders-csv', href: `${holdersPath(siteId, groupId)}?format=csv`, download: '' },
        'Download all as CSV',
      ),
    ),
  );
}

/** @param {(id: string) => void} openPerson @param {boolean} [more] the next page, added below */
async function loadHolders(openPerson, more = false) {
  const { siteId, groupId } = holders;
  if (!siteId || !groupId) return;
  const params = new URLSearchParams({ pageSize: '50' });
  if (more && holders.nextPageToken) params.set('pageToken', holders.nextPageToken);
  try {
    const answer = await get(`${holdersPath(siteId, groupId)}?${params}`);
    holders.items = more ? [...(holders.items ?? []), ...answer.items] : answer.items;
    holders.nextPageToken = answer.nextPageToken;
    holders.error = null;
  } catch (err) {
    holders.error = errorText(err);
  }
  renderResult(openPerson);
}

/** The site and group pickers, from the mapped sites and their groups. @param {(id: string) => void} openPerson */
export function renderHolders(openPerson) {
  const sites = mappedSites();
  if (!sites.includes(holders.siteId)) holders.siteId = sites[0] ?? '';
  const site = /** @type {HTMLSelectElement} */ (byId('holders-site'));
  swap(
    site,
    sites.length === 0 ? h('option', { value: '' }, 'Map a center to a SALTO KS site first') : null,
    sites.map((id) => h('option', { value: id, selected: id === holders.siteId }, siteName(id))),
  );
  const group = /** @type {HTMLSelectElement} */ (byId('holders-group'));
  const groups = store.groupsBySite.get(holders.siteId);
  const list = Array.isArray(groups) ? groups : [];
  if (!list.some((g) => g.id === holders.groupId)) holders.groupId = '';
  swap(
    group,
    h('option', { value: '' }, typeof groups === 'string' ? `Groups unreadable: ${groups}` : 'Pick a group'),
    list.map((g) => h('option', { value: g.id, selected: g.id === holders.groupId }, g.name)),
  );
  site.onchange = () => {
    holders.siteId = site.value;
    holders.groupId = '';
    holders.items = null;
    void loadGroups(site.value).then(() => renderHolders(openPerson));
  };
  group.onchange = () => {
    holders.groupId = group.value;
    holders.items = null;
    holders.nextPageToken = null;
    void loadHolders(openPerson);
  };
  renderResult(openPerson);
}
