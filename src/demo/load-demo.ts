// Loads the demo through the product's own doors, as an operator and Deskworks would: the set-up
// API maps the centers, products and units; signed events through the real webhook do the rest.
// `npm start` runs it once (a marker file remembers); tests run it against a stack.
import { existsSync, writeFileSync } from 'node:fs';
import {
  DEMO_CENTERS,
  DEMO_PRODUCTS,
  DEMO_RESERVATION_UNITS,
  demoCatalog,
  demoData,
  type DemoEventStep,
  type DemoPerson,
} from './demo-data';
import { callAdminApi, postSignedEvent, untilAccepted, type IntegrationTarget } from './integration-client';

export interface LoadDemoOptions {
  target: IntegrationTarget;
  log: (line: string) => void;
  now?: () => number;
  /** Signs the API into SALTO KS with these when it is not connected yet (the simulator's demo user). */
  saltoSignIn?: { username: string; password: string };
  /** How long to wait for the API, Temporal and the worker to be ready. */
  readyTimeoutMs?: number;
}

export interface DemoLoaded {
  loadedAt: string;
  persons: DemoPerson[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

async function ensureSaltoConnected(options: LoadDemoOptions, timeoutMs: number): Promise<void> {
  const { target, log } = options;
  const status = await untilAccepted(
    'GET /api/salto/connection',
    () => callAdminApi(target, 'GET', '/api/salto/connection'),
    timeoutMs,
  );
  if (isObject(status.body) && status.body.connected === true) {
    log('SALTO KS: already connected');
    return;
  }
  if (!options.saltoSignIn) {
    throw new Error(
      'SALTO KS is not connected: sign in on the set-up page (or POST /api/salto/connection) first',
    );
  }
  const { username, password } = options.saltoSignIn;
  await untilAccepted(
    'POST /api/salto/connection',
    () => callAdminApi(target, 'POST', '/api/salto/connection', { grant: 'password', username, password }),
    timeoutMs,
  );
  log(`SALTO KS: signed in as ${username}`);
}

async function sendSteps(options: LoadDemoOptions, steps: DemoEventStep[], timeoutMs: number): Promise<void> {
  for (const step of steps) {
    const what = `event ${step.event.type} ${step.event.id}`;
    await untilAccepted(what, () => postSignedEvent(options.target, step.event), timeoutMs);
    options.log(`sent ${step.event.type}: ${step.describe}`);
  }
}

async function mapCentersProductsAndUnits(options: LoadDemoOptions, timeoutMs: number): Promise<void> {
  const { target, log } = options;
  for (const center of DEMO_CENTERS) {
    const path = `/api/setup/centers/${center.id}`;
    const body = { saltoSiteId: center.saltoSiteId, name: center.name, timeZone: center.timeZone };
    await untilAccepted(`PUT ${path}`, () => callAdminApi(target, 'PUT', path, body), timeoutMs);
    log(`mapped center ${center.name} (${center.id}) to SALTO KS site ${center.saltoSiteId}`);
  }
  const items = [
    ...DEMO_PRODUCTS.map((item) => ({ item, kind: 'products', word: 'product' })),
    ...DEMO_RESERVATION_UNITS.map((item) => ({ item, kind: 'reservation-units', word: 'reservation unit' })),
  ];
  for (const { item, kind, word } of items) {
    const path = `/api/setup/centers/${item.centerId}/${kind}/${item.id}`;
    const body = { accessGroupIds: item.accessGroupIds, name: item.name };
    await untilAccepted(`PUT ${path}`, () => callAdminApi(target, 'PUT', path, body), timeoutMs);
    log(`mapped ${word} ${item.name} (${item.id}) at ${item.centerId} to ${item.accessGroupIds.join(', ')}`);
  }
}

async function reservationLeadMinutes(target: IntegrationTarget, timeoutMs: number): Promise<number> {
  const setup = await untilAccepted(
    'GET /api/setup',
    () => callAdminApi(target, 'GET', '/api/setup'),
    timeoutMs,
  );
  const lead = isObject(setup.body) ? setup.body.reservationLeadMinutes : undefined;
  return typeof lead === 'number' ? lead : 15;
}

/** Maps the demo set-up and sends the demo's events; every step prints one line. */
export async function loadDemo(options: LoadDemoOptions): Promise<DemoLoaded> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  const { target } = options;

  // The API listens before Temporal and the worker are ready: /healthz says when Temporal is.
  await untilAccepted('GET /healthz', () => callAdminApi(target, 'GET', '/healthz'), timeoutMs);
  await ensureSaltoConnected(options, timeoutMs);
  await sendSteps(options, demoCatalog(), timeoutMs);
  await mapCentersProductsAndUnits(options, timeoutMs);
  // Built after the mapping, so "now" (and the reservation's lead) are as current as can be.
  const data = demoData(now(), await reservationLeadMinutes(target, timeoutMs));
  await sendSteps(options, data.people, timeoutMs);
  return { loadedAt: new Date(now()).toISOString(), persons: data.persons };
}

/** Loads the demo unless the marker file says it was loaded; writes the marker after a full load. */
export async function loadDemoOnce(
  options: LoadDemoOptions & { markerFile: string },
): Promise<DemoLoaded | null> {
  if (existsSync(options.markerFile)) {
    options.log(`demo data already loaded (delete ${options.markerFile} to load it again)`);
    return null;
  }
  const loaded = await loadDemo(options);
  writeFileSync(options.markerFile, JSON.stringify(loaded, null, 2) + '\n');
  options.log(`demo data loaded; marker written to ${options.markerFile}`);
  return loaded;
}
