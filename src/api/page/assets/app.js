// @ts-check
// The set-up page: sign in once with the admin token (exchanged for an HttpOnly session cookie),
// then connect SALTO KS, map each center, and watch people sync. Live parts refresh by themselves.
import { errorText, get, onSignedOut, request, setCsrfToken } from './api.js';
import { renderCenters, renderCenterSelector } from './centers.js';
import { renderConnection } from './connection.js';
import { renderHolders } from './holders.js';
import { announce, busy, byId, showError } from './dom.js';
import { refreshHealth, resetHealth } from './health.js';
import { showRunningImport, wireImport } from './import.js';
import { renderMapping } from './mapping.js';
import { refreshPeople, renderPeopleFilters } from './people.js';
import { refreshPerson, selectedPerson, showPerson } from './person.js';
import { renderPolicy } from './policy.js';
import { activeCenter, loadGroupsOf, loadSites, setActiveCenter, store } from './store.js';

const REFRESH_MS = 4000;
const SETUP_SECTIONS = ['centers', 'mapping', 'policy'];

let signedIn = false;
/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;
let renderedSetup = '';
let renderedConnection = '';

/** @param {string} personId */
function openPerson(personId) {
  void showPerson(personId, openPerson).then(() => {
    byId('person').scrollIntoView({ block: 'start' });
    byId('person-title').focus();
  });
}

function renderSetupViews() {
  renderedSetup = JSON.stringify([store.setup, store.sites, [...store.groupsBySite], store.activeCenterId]);
  store.setupDirty = false;
  renderCenterSelector(() => {
    renderMapping(reloadSetup);
    announce(`Active center: ${activeCenter()?.name ?? activeCenter()?.id ?? 'none'}`);
  });
  renderCenters(reloadSetup);
  renderMapping(reloadSetup);
  renderPolicy(reloadSetup);
  renderPeopleFilters(openPerson);
  renderHolders(openPerson);
}

/** Reads the set-up, the SALTO KS sites and the groups of every mapped site. */
async function loadSetup() {
  store.setup = await get('/api/setup');
  if (!store.setup?.centers.some((c) => c.id === store.activeCenterId))
    setActiveCenter(store.setup?.centers[0]?.id ?? null);
  await loadSites();
  await loadGroupsOf(store.setup?.centers.flatMap((c) => (c.saltoSiteId ? [c.saltoSiteId] : [])) ?? []);
}

/** After a change: everything the set-up shows is read again, groups included. */
async function reloadSetup() {
  store.groupsBySite.clear();
  await loadSetup();
  renderSetupViews();
}

async function loadConnection() {
  store.connection = await get('/api/salto/connection');
}

/** @param {boolean} [afterAction] the operator just connected or disconnected: show it, whatever has the focus */
function renderConnectionIfChanged(afterAction = false) {
  const answer = JSON.stringify(store.connection);
  // A refresh must not wipe a password being typed.
  const typing =
    byId('connection').contains(document.activeElement) && document.activeElement?.tagName === 'INPUT';
  if (answer === renderedConnection || (typing && !afterAction)) return;
  renderedConnection = answer;
  renderConnection(async () => {
    renderConnectionIfChanged(true);
    byId('connection-title').focus();
    await reloadSetup();
  });
}

/** The periodic refresh: connection, people, the open person; the set-up only while nobody edits it. */
async function refreshLive() {
  if (!signedIn) return;
  try {
    await refreshHealth();
    await loadConnection();
    renderConnectionIfChanged();
    const editing =
      store.setupDirty || SETUP_SECTIONS.some((id) => byId(id).contains(document.activeElement));
    if (!editing) {
      await loadSetup();
      const answer = JSON.stringify([
        store.setup,
        store.sites,
        [...store.groupsBySite],
        store.activeCenterId,
      ]);
      if (answer !== renderedSetup) renderSetupViews();
    }
    await refreshPeople(openPerson);
    await refreshPerson(openPerson);
    showError('live-error', null);
  } catch (err) {
    if (signedIn) showError('live-error', `Refreshing failed: ${errorText(err)}`);
  }
}

function scheduleRefresh() {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    void (document.hidden ? Promise.resolve() : refreshLive()).finally(() => {
      if (signedIn) scheduleRefresh();
    });
  }, REFRESH_MS);
}

/** @param {{ csrfToken: string }} session */
async function enter(session) {
  setCsrfToken(session.csrfToken);
  signedIn = true;
  byId('sign-in-view').hidden = true;
  byId('app-view').hidden = false;
  byId('top-controls').hidden = false;
  try {
    store.config = await get('/api/page-config');
    await refreshHealth();
    await loadConnection();
    renderConnectionIfChanged();
    await reloadSetup();
    await refreshPeople(openPerson);
    if (selectedPerson()) await refreshPerson(openPerson);
    await showRunningImport();
    showError('live-error', null);
  } catch (err) {
    // Temporal or SALTO KS may be down for now: say so, and keep trying.
    if (signedIn) showError('live-error', `Reading failed: ${errorText(err)}`);
  }
  if (signedIn) scheduleRefresh();
}

function leave() {
  signedIn = false;
  setCsrfToken(null);
  if (timer) clearTimeout(timer);
  renderedSetup = '';
  renderedConnection = '';
  resetHealth();
  byId('app-view').hidden = true;
  byId('top-controls').hidden = true;
  byId('sign-in-view').hidden = false;
  byId('admin-token').focus();
}

function wireSignIn() {
  const form = /** @type {HTMLFormElement} */ (byId('sign-in-form'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('admin-token'));
    const token = input.value.trim();
    if (!token) {
      showError('admin-token-error', 'Type the admin token.');
      return;
    }
    void busy(byId('sign-in-submit'), async () => {
      try {
        const session = await request('POST', '/session', { token });
        input.value = ''; // the token is not kept: the cookie stands for it now
        showError('admin-token-error', null);
        await enter(session);
        announce('Signed in.');
      } catch (err) {
        showError('admin-token-error', errorText(err));
      }
    });
  });
  const signOut = byId('sign-out');
  signOut.addEventListener('click', () => {
    void busy(signOut, async () => {
      await request('DELETE', '/session').catch(() => undefined);
      leave();
      announce('Signed out.');
    });
  });
}

function wireDirtyTracking() {
  for (const id of SETUP_SECTIONS) {
    byId(id).addEventListener('input', () => {
      store.setupDirty = true;
    });
  }
  byId('reload-setup').addEventListener('click', () => {
    void busy(byId('reload-setup'), reloadSetup);
  });
  byId('person-close').addEventListener('click', () => {
    void showPerson(null, openPerson).then(() => byId('people-title').focus());
  });
}

async function boot() {
  wireSignIn();
  wireDirtyTracking();
  wireImport();
  onSignedOut(() => {
    if (signedIn) leave();
  });
  const session = await get('/session').catch(() => ({ signedIn: false }));
  if (session.signedIn) await enter(session);
  else leave();
}

void boot();
