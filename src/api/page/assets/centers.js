// @ts-check
// Step 2: every center (known from Deskworks events or added here), its time zone and its SALTO KS
// site; and the active-center selector, which — as in Deskworks — chooses whose products and
// units are shown.
import { errorText, request } from './api.js';
import { announce, busy, byId, errorLine, h, idPart, showError, swap } from './dom.js';
import { activeCenter, setActiveCenter, store } from './store.js';

/**
 * @param {string} id
 * @param {string | null} selected
 * @param {string} describedBy
 * @param {string} label
 */
function siteSelect(id, selected, describedBy, label) {
  const known = store.sites.some((s) => s.id === selected);
  return h(
    'select',
    { id, name: 'saltoSiteId', 'aria-describedby': describedBy, 'aria-label': label },
    h(
      'option',
      { value: '', selected: !selected },
      store.sites.length ? '— choose a site —' : '— no sites: connect SALTO KS —',
    ),
    selected && !known
      ? h('option', { value: selected, selected: true }, `${selected} (not in SALTO KS now)`)
      : null,
    store.sites.map((s) =>
      h('option', { value: s.id, selected: s.id === selected }, `${s.name} (${s.timeZone})`),
    ),
  );
}

/** @param {() => void} onChange */
export function renderCenterSelector(onChange) {
  const select = /** @type {HTMLSelectElement} */ (byId('active-center'));
  const centers = store.setup?.centers ?? [];
  const active = activeCenter();
  swap(
    select,
    centers.length === 0 ? h('option', { value: '' }, 'No centers yet') : null,
    centers.map((c) =>
      h('option', { value: c.id, selected: c.id === active?.id }, c.name ? `${c.name} (${c.id})` : c.id),
    ),
  );
  select.onchange = () => {
    setActiveCenter(select.value || null);
    onChange();
  };
}

/**
 * @param {import('./store.js').Center} center
 * @param {() => Promise<void>} afterSave
 */
function centerRow(center, afterSave) {
  const key = idPart(center.id);
  const errorId = `center-site-error-${key}`;
  const select = siteSelect(
    `center-site-${key}`,
    center.saltoSiteId,
    errorId,
    `SALTO KS site of ${center.name ?? center.id}`,
  );
  const save = h('button', { type: 'button', id: `center-site-save-${key}` }, 'Save site');
  save.addEventListener('click', () => {
    const saltoSiteId = /** @type {HTMLSelectElement} */ (select).value;
    if (!saltoSiteId) {
      showError(errorId, 'Choose the SALTO KS site of this center.');
      return;
    }
    void busy(save, async () => {
      try {
        await request('PUT', `/api/setup/centers/${encodeURIComponent(center.id)}`, { saltoSiteId });
        showError(errorId, null);
        await afterSave();
        announce(`Site saved for ${center.name ?? center.id}.`);
      } catch (err) {
        showError(errorId, errorText(err));
      }
    });
  });
  const hasGroups = [...center.products, ...center.reservationUnits].some((i) => i.accessGroupIds.length > 0);
  return h(
    'tr',
    { id: `center-row-${key}` },
    h(
      'th',
      { scope: 'row', 'data-label': 'Center' },
      center.name ?? '(name not known yet)',
      h('span', { class: 'id' }, center.id),
    ),
    h('td', { 'data-label': 'Time zone' }, center.timeZone ?? '—'),
    h(
      'td',
      { 'data-label': 'SALTO KS site' },
      h('div', { class: 'inline' }, select, save),
      hasGroups
        ? h(
            'p',
            { class: 'hint' },
            'Another site clears this center’s group choices: groups belong to one site.',
          )
        : null,
      errorLine(errorId),
    ),
  );
}

/** @param {() => Promise<void>} afterSave */
function addCenterForm(afterSave) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { id: 'add-center-form', class: 'grid-form', novalidate: true },
      h(
        'div',
        {},
        h('label', { for: 'new-center-id' }, 'Deskworks center id'),
        h('input', {
          id: 'new-center-id',
          name: 'id',
          required: true,
          autocomplete: 'off',
          'aria-describedby': 'new-center-error',
        }),
      ),
      h(
        'div',
        {},
        h('label', { for: 'new-center-name' }, 'Name'),
        h('input', {
          id: 'new-center-name',
          name: 'name',
          autocomplete: 'off',
          'aria-describedby': 'new-center-error',
        }),
      ),
      h(
        'div',
        {},
        h('label', { for: 'new-center-zone' }, 'Time zone (IANA)'),
        h('input', {
          id: 'new-center-zone',
          name: 'timeZone',
          list: 'time-zones',
          placeholder: 'Europe/Berlin',
          autocomplete: 'off',
          'aria-describedby': 'new-center-error',
        }),
        h(
          'datalist',
          { id: 'time-zones' },
          zones.map((z) => h('option', { value: z })),
        ),
      ),
      h(
        'div',
        {},
        h('label', { for: 'new-center-site' }, 'SALTO KS site'),
        siteSelect('new-center-site', null, 'new-center-error', 'SALTO KS site of the new center'),
      ),
      h('div', { class: 'form-end' }, h('button', { type: 'submit', id: 'new-center-submit' }, 'Add center')),
      errorLine('new-center-error'),
    )
  );
  const site = /** @type {HTMLSelectElement} */ (form.elements.namedItem('saltoSiteId'));
  const zone = /** @type {HTMLInputElement} */ (form.elements.namedItem('timeZone'));
  // Most centers are in their site's zone: offer it.
  site.addEventListener('change', () => {
    if (!zone.value) zone.value = store.sites.find((s) => s.id === site.value)?.timeZone ?? '';
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const id = String(data.get('id') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    const timeZone = String(data.get('timeZone') ?? '').trim();
    const saltoSiteId = String(data.get('saltoSiteId') ?? '');
    if (!id || !saltoSiteId) {
      showError('new-center-error', 'A center needs its Deskworks id and a SALTO KS site.');
      return;
    }
    void busy(byId('new-center-submit'), async () => {
      try {
        await request('PUT', `/api/setup/centers/${encodeURIComponent(id)}`, {
          saltoSiteId,
          ...(name ? { name } : {}),
          ...(timeZone ? { timeZone } : {}),
        });
        showError('new-center-error', null);
        setActiveCenter(id);
        await afterSave();
        announce(`Center ${name || id} added.`);
      } catch (err) {
        showError('new-center-error', errorText(err));
      }
    });
  });
  return form;
}

/** @param {() => Promise<void>} afterSave */
export function renderCenters(afterSave) {
  const centers = store.setup?.centers ?? [];
  swap(
    byId('centers-body'),
    store.sitesError
      ? h('p', { class: 'error', role: 'alert' }, `SALTO KS sites could not be read: ${store.sitesError}`)
      : null,
    centers.length === 0
      ? h(
          'p',
          {},
          'No center yet. Centers appear here when Deskworks sends them; you can also add one below.',
        )
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'cards', id: 'centers-table' },
            h('caption', { class: 'visually-hidden' }, 'Centers and their SALTO KS sites'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Center'),
                h('th', { scope: 'col' }, 'Time zone'),
                h('th', { scope: 'col' }, 'SALTO KS site'),
              ),
            ),
            h(
              'tbody',
              {},
              centers.map((c) => centerRow(c, afterSave)),
            ),
          ),
        ),
    h('h3', {}, 'Add a center'),
    addCenterForm(afterSave),
  );
}
