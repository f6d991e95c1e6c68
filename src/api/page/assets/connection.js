// @ts-check
// Step 1: sign the service into the SALTO KS account — through SALTO's own sign-in page
// (authorization code), or with a SALTO KS system user (password grant) — or disconnect it.
import { errorText, request } from './api.js';
import { announce, busy, byId, errorLine, h, showError, swap } from './dom.js';
import { when } from './format.js';
import { store } from './store.js';

/** @param {import('./store.js').Connection} connection */
function stateLine(connection) {
  if (connection.connected) {
    const grant =
      connection.account?.grant === 'password'
        ? 'a SALTO KS system user (password grant)'
        : 'a SALTO KS sign-in';
    return h(
      'p',
      { class: 'state ok', id: 'connection-state' },
      h('strong', {}, 'Connected'),
      ` through ${grant}`,
      connection.account?.accessTokenExpiresAt
        ? `; access renewed automatically (current until ${when(connection.account.accessTokenExpiresAt)})`
        : '',
      '.',
    );
  }
  return h(
    'p',
    { class: 'state warn', id: 'connection-state' },
    h('strong', {}, 'Not connected'),
    ': nobody can be given access until SALTO KS is connected.',
  );
}

/** @param {() => Promise<void>} afterChange reloads what depends on the connection (sites, groups). */
function passwordForm(afterChange) {
  const form = h(
    'form',
    { id: 'password-grant-form', class: 'stack', novalidate: true },
    h('label', { for: 'salto-username' }, 'SALTO KS user name'),
    h('input', {
      id: 'salto-username',
      name: 'username',
      autocomplete: 'off',
      required: true,
      'aria-describedby': 'password-grant-error',
    }),
    h('label', { for: 'salto-password' }, 'Password'),
    h('input', {
      id: 'salto-password',
      name: 'password',
      type: 'password',
      autocomplete: 'off',
      required: true,
      'aria-describedby': 'password-grant-error',
    }),
    errorLine('password-grant-error'),
    h('button', { type: 'submit', id: 'password-grant-submit' }, 'Connect with this user'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (form));
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!username || !password) {
      showError('password-grant-error', 'Type the SALTO KS user name and its password.');
      return;
    }
    void busy(byId('password-grant-submit'), async () => {
      try {
        store.connection = await request('POST', '/api/salto/connection', {
          grant: 'password',
          username,
          password,
        });
        showError('password-grant-error', null);
        await afterChange();
        announce('SALTO KS is connected.');
      } catch (err) {
        showError('password-grant-error', `SALTO KS refused: ${errorText(err)}`);
      }
    });
  });
  return form;
}

/** @param {() => Promise<void>} afterChange */
export function renderConnection(afterChange) {
  const connection = store.connection;
  const container = byId('connection-body');
  if (!connection) {
    swap(container, h('p', {}, 'Reading the connection…'));
    return;
  }
  const disconnect = h(
    'button',
    { type: 'button', id: 'salto-disconnect', class: 'secondary' },
    'Disconnect SALTO KS',
  );
  disconnect.addEventListener('click', () => {
    void busy(disconnect, async () => {
      try {
        store.connection = await request('DELETE', '/api/salto/connection');
        await afterChange();
        announce('SALTO KS is disconnected.');
      } catch (err) {
        showError('connection-action-error', errorText(err));
      }
    });
  });
  swap(
    container,
    stateLine(connection),
    connection.error
      ? h('p', { class: 'error', role: 'alert', id: 'connection-error' }, connection.error)
      : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Identity server'),
      h('dd', {}, connection.identityUrl),
      h('dt', {}, 'Connect API'),
      h('dd', {}, connection.apiUrl),
    ),
    h(
      'div',
      { class: 'actions' },
      // A plain link: a top-level navigation to the API, which redirects to SALTO's sign-in page.
      h(
        'a',
        { class: 'button', href: '/api/salto/authorize', id: 'salto-authorize' },
        connection.connected ? 'Sign into another SALTO KS account' : 'Sign into your SALTO KS account',
      ),
      connection.connected ? disconnect : null,
    ),
    errorLine('connection-action-error'),
    connection.connected
      ? null
      : h(
          'details',
          { id: 'password-grant', open: true },
          h('summary', {}, 'Or connect with a SALTO KS system user (password grant)'),
          passwordForm(afterChange),
        ),
  );
}
