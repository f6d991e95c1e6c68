// @ts-check
// Step 3, for the active center: the access groups of each Membership Product and Reservation
// Unit, chosen among the groups of the center's site. The API checks every choice; what it
// refuses is shown next to the item, in its words.
import { errorText, request } from './api.js';
import { announce, busy, byId, errorLine, h, idPart, showError, swap } from './dom.js';
import { activeCenter, siteName, store } from './store.js';

/** @typedef {'products' | 'reservationUnits'} ItemKind */

const WORDS = {
  products: { path: 'products', one: 'membership product', title: 'Membership Products', prefix: 'product' },
  reservationUnits: {
    path: 'reservation-units',
    one: 'reservation unit',
    title: 'Reservation Units',
    prefix: 'unit',
  },
};

/** @param {number} count */
function groupCountText(count) {
  return count === 0
    ? 'Gives no access yet.'
    : count === 1
      ? 'Gives 1 group now.'
      : `Gives ${count} groups now.`;
}

/**
 * The mapped groups GET /api/setup found missing from the site in SALTO KS (deleted there since).
 * @param {import('./store.js').MappedItem} item
 * @returns {string[]}
 */
function missingGroupIds(item) {
  const missing = /** @type {{ missingAccessGroupIds?: unknown }} */ (item).missingAccessGroupIds;
  return Array.isArray(missing) ? missing.map(String) : [];
}

/**
 * @param {ItemKind} kind
 * @param {string} centerId
 * @param {string} itemId
 * @param {{ accessGroupIds: string[]; name?: string }} body
 */
function saveItem(kind, centerId, itemId, body) {
  return request(
    'PUT',
    `/api/setup/centers/${encodeURIComponent(centerId)}/${WORDS[kind].path}/${encodeURIComponent(itemId)}`,
    body,
  );
}

/**
 * @param {ItemKind} kind
 * @param {import('./store.js').Center} center
 * @param {import('./store.js').MappedItem} item
 * @param {() => Promise<void>} afterSave
 */
function itemFieldset(kind, center, item, afterSave) {
  const key = `${WORDS[kind].prefix}-${idPart(center.id)}-${idPart(item.id)}`;
  const errorId = `${key}-error`;
  const siteGroups = center.saltoSiteId ? store.groupsBySite.get(center.saltoSiteId) : undefined;
  const groups = Array.isArray(siteGroups) ? siteGroups : [];
  // A group mapped earlier but no longer on the site stays visible, so it can be unticked.
  const stale = item.accessGroupIds.filter((id) => !groups.some((g) => g.id === id));
  const missing = missingGroupIds(item);
  const missingId = `${key}-missing`;
  const options = [
    ...groups,
    ...stale.map((id) => ({
      id,
      name: missing.includes(id) ? `${id} (deleted in SALTO KS)` : `${id} (not on this site)`,
    })),
  ];
  const boxes = options.map((g) =>
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        name: 'group',
        value: g.id,
        checked: item.accessGroupIds.includes(g.id),
        'aria-describedby': missing.includes(g.id) ? `${missingId} ${errorId}` : errorId,
      }),
      ` ${g.name}`,
    ),
  );
  const save = h('button', { type: 'submit', id: `${key}-save` }, 'Save groups');
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'item', id: key, 'data-item-id': item.id },
      h(
        'fieldset',
        {},
        h('legend', {}, item.name ?? item.id, item.name ? h('span', { class: 'id' }, item.id) : null),
        // It gives nobody that door any more: say so until the operator unticks it.
        missing.length > 0
          ? h(
              'ul',
              { class: 'state warn missing-groups', id: missingId },
              missing.map((id) =>
                h('li', {}, `⚠ Group ${id} no longer exists in SALTO KS: untick it and save.`),
              ),
            )
          : null,
        options.length > 0
          ? h('div', { class: 'checks' }, boxes)
          : h(
              'p',
              { class: 'hint' },
              typeof siteGroups === 'string'
                ? `Groups could not be read: ${siteGroups}`
                : 'No access groups to choose from.',
            ),
        h(
          'div',
          { class: 'inline' },
          save,
          h('span', { class: 'hint' }, groupCountText(item.accessGroupIds.length)),
        ),
        errorLine(errorId),
      ),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const accessGroupIds = new FormData(form).getAll('group').map(String);
    void busy(save, async () => {
      try {
        await saveItem(kind, center.id, item.id, { accessGroupIds });
        showError(errorId, null);
        await afterSave();
        announce(`Groups saved for ${item.name ?? item.id}.`);
      } catch (err) {
        showError(errorId, errorText(err));
      }
    });
  });
  return form;
}

/**
 * Adds a product or unit before Deskworks has sent it (it gives no access until groups are ticked).
 * @param {ItemKind} kind
 * @param {import('./store.js').Center} center
 * @param {() => Promise<void>} afterSave
 */
function addItemForm(kind, center, afterSave) {
  const prefix = `new-${WORDS[kind].prefix}`;
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { id: `${prefix}-form`, class: 'grid-form', novalidate: true },
      h(
        'div',
        {},
        h('label', { for: `${prefix}-id` }, `Deskworks ${WORDS[kind].one} id`),
        h('input', {
          id: `${prefix}-id`,
          name: 'id',
          required: true,
          autocomplete: 'off',
          'aria-describedby': `${prefix}-error`,
        }),
      ),
      h(
        'div',
        {},
        h('label', { for: `${prefix}-name` }, 'Name'),
        h('input', {
          id: `${prefix}-name`,
          name: 'name',
          autocomplete: 'off',
          'aria-describedby': `${prefix}-error`,
        }),
      ),
      h(
        'div',
        { class: 'form-end' },
        h('button', { type: 'submit', id: `${prefix}-submit` }, `Add ${WORDS[kind].one}`),
      ),
      errorLine(`${prefix}-error`),
    )
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const id = String(data.get('id') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    if (!id) {
      showError(`${prefix}-error`, `Type the ${WORDS[kind].one}'s id in Deskworks.`);
      return;
    }
    void busy(byId(`${prefix}-submit`), async () => {
      try {
        await saveItem(kind, center.id, id, { accessGroupIds: [], ...(name ? { name } : {}) });
        showError(`${prefix}-error`, null);
        await afterSave();
        announce(`${name || id} added; tick its groups and save.`);
      } catch (err) {
        showError(`${prefix}-error`, errorText(err));
      }
    });
  });
  return form;
}

/**
 * @param {ItemKind} kind
 * @param {import('./store.js').Center} center
 * @param {() => Promise<void>} afterSave
 */
function itemsSection(kind, center, afterSave) {
  const items = center[kind];
  return h(
    'section',
    { 'aria-labelledby': `${WORDS[kind].prefix}s-title`, id: `${WORDS[kind].prefix}s` },
    h('h3', { id: `${WORDS[kind].prefix}s-title` }, WORDS[kind].title),
    items.length === 0
      ? h('p', {}, `No ${WORDS[kind].one} yet at this center.`)
      : h(
          'div',
          { class: 'items' },
          items.map((i) => itemFieldset(kind, center, i, afterSave)),
        ),
    h('h4', {}, `Add a ${WORDS[kind].one}`),
    addItemForm(kind, center, afterSave),
  );
}

/** @param {() => Promise<void>} afterSave */
export function renderMapping(afterSave) {
  const center = activeCenter();
  const title = byId('mapping-title');
  if (!center) {
    title.textContent = 'Products and units';
    swap(byId('mapping-body'), h('p', {}, 'Add a center first (above), or wait for Deskworks to send one.'));
    return;
  }
  title.textContent = `Products and units at ${center.name ?? center.id}`;
  const check = /** @type {{ saltoCheck?: { ok: boolean; error?: string } }} */ (store.setup ?? {})
    .saltoCheck;
  swap(
    byId('mapping-body'),
    check && !check.ok
      ? h(
          'p',
          { class: 'state warn', id: 'mapping-salto-check' },
          `The mapped groups could not be checked against SALTO KS: ${check.error ?? 'no answer'}`,
        )
      : null,
    center.saltoSiteId
      ? h('p', { class: 'hint' }, `Groups of SALTO KS site ${siteName(center.saltoSiteId)}.`)
      : h(
          'p',
          { class: 'state warn', id: 'mapping-no-site' },
          'This center has no SALTO KS site yet: choose one under Centers before choosing groups.',
        ),
    itemsSection('products', center, afterSave),
    itemsSection('reservationUnits', center, afterSave),
  );
}
