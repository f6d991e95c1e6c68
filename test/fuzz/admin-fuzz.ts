// The admin API under hostile input: mutated path ids, JSON bodies, page tokens, cookies and CSRF
// headers (contract: admin-api.md), over real HTTP to the real API with one worker (the set-up's
// updates need it). Each answer must be one the API documents, never a 5xx; a refused change must
// leave the set-up as it was; and no request may start a workflow other than the set-up's, except
// a resync the API accepted.
import fc from 'fast-check';
import { ADMIN_TOKEN, type Stack } from '../helpers/stack';
import { BERLIN, GROUPS } from '../e2e/e2e-support';
import { personWorkflowId, SETUP_WORKFLOW_ID } from '../../src/shared/ids';

type Auth =
  | 'bearer'
  | 'bearer-wrong'
  | 'none'
  | 'session'
  | 'session-no-csrf'
  | 'session-bad-csrf'
  | 'cookie-tampered'
  | 'cookie-garbage';

interface AdminInput {
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  path: string;
  auth: Auth;
  contentType: string | null;
  body: string | null;
  /** A change to the set-up (refused: the set-up must not change). */
  changesSetup: boolean;
}

export interface AdminFuzzResult {
  requests: number;
  byStatus: Record<string, number>;
  /** Refused changes after which the set-up differed. */
  setupChangedByRefused: string[];
  /** Workflows listed that no accepted request explains. */
  startedByRefused: string[];
  /** Workflow tasks of the set-up workflow that failed (a change that breaks it blocks every later one). */
  setupTaskFailures: number;
  failure: string | null;
}

const odd = fc.constantFrom(
  '..',
  '%2e%2e',
  '%2F',
  '%00',
  '%',
  '%zz',
  '%C0%AF',
  encodeURIComponent('\u202eevil'),
  encodeURIComponent('👩‍👩‍👧'),
  encodeURIComponent('<script>'),
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  ' ',
);
const pathId = fc.oneof(
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom(BERLIN.centerId, 'p-desk', 'u-spree', BERLIN.siteId) },
  { weight: 3, arbitrary: odd },
);
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
const groupIds = fc.oneof(
  fc.constant(GROUPS.deskBerlin),
  fc.array(fc.oneof(fc.uuid(), odd), { maxLength: 3 }),
  fc.array(fc.constant('g'), { minLength: 2000, maxLength: 2000 }),
);
const timeZone = fc.constantFrom('Europe/Berlin', 'Mars/Olympus', '', 'UTC');
const centerBody = fc.oneof(
  fc.record(
    { saltoSiteId: fc.oneof(fc.constant(BERLIN.siteId), fc.uuid(), odd), name: fc.string(), timeZone },
    { requiredKeys: ['saltoSiteId'] },
  ),
  fc.record({ saltoSiteId: fc.oneof(fc.integer(), fc.constant(null), fc.constant([])) }),
);
const mappingBody = fc.oneof(
  fc.record({ accessGroupIds: groupIds, name: fc.string() }, { requiredKeys: ['accessGroupIds'] }),
  fc.record({ accessGroupIds: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
);
const policyBody = fc.record(
  {
    noAccessPolicy: fc.oneof(fc.constantFrom('keep', 'block', 'delete'), fc.string()),
    reservationLeadMinutes: fc.oneof(fc.integer({ min: -10, max: 2000 }), fc.double(), fc.string()),
    reservationLagMinutes: fc.oneof(fc.integer({ min: -10, max: 2000 }), fc.constant(null)),
  },
  { requiredKeys: [] },
);
/** A valid JSON body of the right shape (as text), or something else entirely. */
const bodyOf = (shaped: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: shaped.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: json },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '{', 'null', '{"__proto__":{"polluted":1}}', 'x'.repeat(300_000)),
    },
  );
const pageToken = fc.oneof(fc.base64String({ maxLength: 200 }), odd, fc.string({ maxLength: 50 }));

const request: fc.Arbitrary<Omit<AdminInput, 'auth' | 'contentType'>> = fc.oneof(
  fc.constant({ method: 'GET' as const, path: '/api/setup', body: null, changesSetup: false }),
  pathId.chain((c) =>
    bodyOf(centerBody).map((body) => ({
      method: 'PUT' as const,
      path: `/api/setup/centers/${c}`,
      body,
      changesSetup: true,
    })),
  ),
  fc.tuple(pathId, fc.constantFrom('products', 'reservation-units', 'doors'), pathId).chain(([c, kind, i]) =>
    bodyOf(mappingBody).map((body) => ({
      method: 'PUT' as const,
      path: `/api/setup/centers/${c}/${kind}/${i}`,
      body,
      changesSetup: true,
    })),
  ),
  bodyOf(policyBody).map((body) => ({
    method: 'PATCH' as const,
    path: '/api/setup/policy',
    body,
    changesSetup: true,
  })),
  fc
    .record({
      pageToken,
      center: fc.oneof(pathId, fc.constant(undefined)),
      kind: fc.oneof(fc.constantFrom('member', 'comember', 'nonmember', 'martian'), fc.constant(undefined)),
      limit: fc.oneof(fc.integer({ min: -5, max: 100_000 }).map(String), fc.constant(undefined)),
    })
    .map((q) => {
      const query = Object.entries(q)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${k === 'pageToken' ? encodeURIComponent(v!) : v!}`)
        .join('&');
      return { method: 'GET' as const, path: `/api/people?${query}`, body: null, changesSetup: false };
    }),
  pathId.map((id) => ({
    method: 'GET' as const,
    path: `/api/people/${id}/access`,
    body: null,
    changesSetup: false,
  })),
  pathId.map((id) => ({
    method: 'POST' as const,
    path: `/api/people/${id}/resync`,
    body: '{}',
    changesSetup: false,
  })),
  pathId.map((id) => ({
    method: 'GET' as const,
    path: `/api/reservations/${id}`,
    body: null,
    changesSetup: false,
  })),
  pathId.map((id) => ({
    method: 'GET' as const,
    path: `/api/salto/sites/${id}/access-groups`,
    body: null,
    changesSetup: false,
  })),
  pathId.map((id) => ({
    method: 'GET' as const,
    path: `/api/imports/${id}`,
    body: null,
    changesSetup: false,
  })),
  fc
    .constantFrom('/api/nothing-here', '/api/setup/centers', '/api/people/', '/api/setup/policy')
    .map((path) => ({
      method: 'DELETE' as const,
      path,
      body: null,
      changesSetup: true,
    })),
);

const adminInput: fc.Arbitrary<AdminInput> = fc
  .tuple(
    request,
    fc.oneof(
      { weight: 6, arbitrary: fc.constant<Auth>('session') },
      { weight: 2, arbitrary: fc.constant<Auth>('bearer') },
      {
        weight: 4,
        arbitrary: fc.constantFrom<Auth>(
          'bearer-wrong',
          'none',
          'session-no-csrf',
          'session-bad-csrf',
          'cookie-tampered',
          'cookie-garbage',
        ),
      },
    ),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/xml', null) },
    ),
  )
  .map(([r, auth, contentType]) => ({ ...r, auth, contentType: r.body === null ? null : contentType }));

/** The answers the API may give this request. */
function allowedFor(input: AdminInput): number[] {
  const unsafe = input.method !== 'GET';
  switch (input.auth) {
    case 'none':
    case 'cookie-tampered':
    case 'cookie-garbage':
      return [401];
    case 'bearer-wrong':
      return [401, 429];
    case 'session-no-csrf':
    case 'session-bad-csrf':
      if (unsafe) return [403];
      break;
    default:
      break;
  }
  // Signed in: any documented answer but a 5xx. A bearer token may be throttled (429) after the
  // wrong ones that came before it from the same address.
  return [200, 202, 204, 400, 404, 413, 415, ...(input.auth === 'bearer' ? [429] : [])];
}

async function signIn(stack: Stack): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${stack.apiUrl}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: ADMIN_TOKEN }),
  });
  const cookie = /^([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  if (!cookie) throw new Error(`signing in answered ${res.status} without a cookie`);
  return { cookie, csrf: csrfToken };
}

export async function fuzzAdmin(
  stack: Stack,
  options: { requests: number; seed: number; path?: string; progress?: (sent: number) => void },
): Promise<AdminFuzzResult> {
  const session = await signIn(stack);
  const byStatus: Record<string, number> = {};
  const setupChangedByRefused: string[] = [];
  const expected = new Set<string>([SETUP_WORKFLOW_ID]);
  let sent = 0;
  const readSetup = async (): Promise<string> =>
    (await fetch(`${stack.apiUrl}/api/setup`, { headers: { Cookie: session.cookie } })).text();

  const headersFor = (input: AdminInput): Record<string, string> => {
    const headers: Record<string, string> = {};
    if (input.contentType !== null) headers['Content-Type'] = input.contentType;
    const flipped =
      session.cookie.slice(0, -2) + (session.cookie.endsWith('A') ? 'B' : 'A') + session.cookie.slice(-1);
    switch (input.auth) {
      case 'bearer':
        headers.Authorization = `Bearer ${ADMIN_TOKEN}`;
        break;
      case 'bearer-wrong':
        headers.Authorization = `Bearer ${ADMIN_TOKEN.slice(0, -1)}x`;
        break;
      case 'session':
        headers.Cookie = session.cookie;
        headers['X-CSRF-Token'] = session.csrf;
        break;
      case 'session-no-csrf':
        headers.Cookie = session.cookie;
        break;
      case 'session-bad-csrf':
        headers.Cookie = session.cookie;
        headers['X-CSRF-Token'] = `${session.csrf.slice(1)}A`;
        break;
      case 'cookie-tampered':
        headers.Cookie = flipped;
        break;
      case 'cookie-garbage':
        headers.Cookie = 'access_sync_session=%00%zz.;__proto__=1';
        break;
      case 'none':
        break;
    }
    return headers;
  };

  const property = fc.asyncProperty(adminInput, async (input) => {
    const before = input.changesSetup ? await readSetup() : '';
    const res = await fetch(`${stack.apiUrl}${input.path}`, {
      method: input.method,
      headers: headersFor(input),
      ...(input.body !== null ? { body: Buffer.from(input.body, 'utf8') } : {}),
      // A request that hangs (a set-up workflow that no longer completes its updates) fails the run.
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    sent++;
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (sent % 500 === 0) options.progress?.(sent);
    const resync = /^\/api\/people\/([^/]+)\/resync$/.exec(input.path);
    if (resync && res.status === 202) expected.add(personWorkflowId(decodeURIComponent(resync[1]!)));
    if (input.changesSetup && res.status >= 300 && (await readSetup()) !== before)
      setupChangedByRefused.push(`${input.method} ${input.path} → ${res.status}`);
    const allowed = allowedFor(input);
    if (res.status >= 500 || !allowed.includes(res.status))
      throw new Error(
        `${input.method} ${input.path.slice(0, 200)} (${input.auth}) answered ${res.status} (allowed: ${allowed.join(', ')}): ${text.slice(0, 300)}`,
      );
  });

  const details = await fc.check(property, {
    numRuns: options.requests,
    seed: options.seed,
    ...(options.path ? { path: options.path } : {}),
  });
  let failure: string | null = null;
  if (details.failed) {
    const input = details.counterexample?.[0];
    failure = [
      `seed ${details.seed}, path "${details.counterexamplePath}" (replay: npm run fuzz -- --seed ${details.seed} --admin-path "${details.counterexamplePath}")`,
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.error),
      input
        ? `shrunk input: ${JSON.stringify({ ...input, path: input.path.slice(0, 500), body: input.body?.slice(0, 500) })}`
        : '',
    ].join('\n');
  }
  const listed: string[] = [];
  for await (const execution of stack.client.workflow.list()) listed.push(execution.workflowId);
  const setupHistory = await stack.client.workflow.getHandle(SETUP_WORKFLOW_ID).fetchHistory();
  return {
    requests: sent,
    byStatus,
    setupChangedByRefused,
    startedByRefused: listed.filter((id) => !expected.has(id)),
    setupTaskFailures: (setupHistory.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length,
    failure,
  };
}
