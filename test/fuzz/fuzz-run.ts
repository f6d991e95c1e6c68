// One fuzz run: the webhook phase on a stack with no worker, then the admin phase on a stack with
// one, and the API process's memory across the webhook phase (this process runs the API). Shared
// by `npm run fuzz` (fuzz-main.ts) and the short run in `npm test` (fuzz-smoke.test.ts).
import { startStack } from '../helpers/stack';
import { fuzzAdmin, type AdminFuzzResult } from './admin-fuzz';
import { fuzzWebhook, type WebhookFuzzResult } from './webhook-fuzz';

export interface FuzzOptions {
  webhookRequests: number;
  adminRequests: number;
  seed: number;
  webhookPath?: string;
  adminPath?: string;
  progress?: (line: string) => void;
}

export interface HeapSample {
  requests: number;
  heapMiB: number;
}

export interface FuzzReport {
  seed: number;
  webhook: WebhookFuzzResult;
  admin: AdminFuzzResult;
  /** Heap after a full GC, across the webhook phase (a leak per request shows as growth). */
  heap: { samples: HeapSample[]; firstMiB: number; lastMiB: number; flat: boolean };
  /** Properties that appeared on Object.prototype during the run: a polluted prototype. */
  prototypePollution: string[];
  wallSeconds: number;
  /** Every check: true when the run found nothing. */
  clean: boolean;
}

const gc = (globalThis as { gc?: () => void }).gc;
const MiB = 1024 * 1024;

function heapNow(): number {
  gc?.();
  return process.memoryUsage().heapUsed / MiB;
}

/** Flat: the heap at the end within 25 % (and 16 MiB) of the heap after the first tenth of the run. */
export function heapIsFlat(firstMiB: number, lastMiB: number): boolean {
  return lastMiB <= firstMiB * 1.25 + 16;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const prototypeBefore = new Set(Object.getOwnPropertyNames(Object.prototype));
  const samples: HeapSample[] = [];

  const webhookStack = await startStack({ workers: 0 });
  let webhook: WebhookFuzzResult;
  try {
    const every = Math.max(500, Math.round(options.webhookRequests / 20 / 500) * 500);
    webhook = await fuzzWebhook(webhookStack, {
      requests: options.webhookRequests,
      seed: options.seed,
      ...(options.webhookPath ? { path: options.webhookPath } : {}),
      progress: (sent) => {
        if (sent % every !== 0) return;
        samples.push({ requests: sent, heapMiB: heapNow() });
        progress(
          `webhook: ${sent}/${options.webhookRequests} requests, heap ${samples.at(-1)!.heapMiB.toFixed(1)} MiB`,
        );
      },
    });
    samples.push({ requests: webhook.requests, heapMiB: heapNow() });
  } finally {
    await webhookStack.stop();
  }

  const adminStack = await startStack({ workers: 1 });
  let admin: AdminFuzzResult;
  try {
    admin = await fuzzAdmin(adminStack, {
      requests: options.adminRequests,
      seed: options.seed,
      ...(options.adminPath ? { path: options.adminPath } : {}),
      progress: (sent) => {
        if (sent % 1000 === 0) progress(`admin: ${sent}/${options.adminRequests} requests`);
      },
    });
  } finally {
    await adminStack.stop();
  }

  // The first tenth warms up (code paths compiled, connection pools filled).
  const first = samples.find((s) => s.requests >= options.webhookRequests / 10) ?? samples[0]!;
  const last = samples.at(-1)!;
  const heap = {
    samples,
    firstMiB: first.heapMiB,
    lastMiB: last.heapMiB,
    flat: heapIsFlat(first.heapMiB, last.heapMiB),
  };
  const prototypePollution = Object.getOwnPropertyNames(Object.prototype).filter(
    (k) => !prototypeBefore.has(k),
  );
  const clean =
    webhook.failure === null &&
    webhook.startedByRefused.length === 0 &&
    webhook.acceptedButMissing.length === 0 &&
    webhook.setupSignals.expected === webhook.setupSignals.found &&
    admin.failure === null &&
    admin.setupChangedByRefused.length === 0 &&
    admin.startedByRefused.length === 0 &&
    admin.setupTaskFailures === 0 &&
    prototypePollution.length === 0 &&
    (gc === undefined || heap.flat);
  return {
    seed: options.seed,
    webhook,
    admin,
    heap,
    prototypePollution,
    wallSeconds: Math.round((Date.now() - started) / 1000),
    clean,
  };
}

const statuses = (by: Record<string, number>): string =>
  Object.entries(by)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');

/** The report as text: what was sent, what came back, and every check. */
export function formatReport(r: FuzzReport): string {
  const check = (ok: boolean): string => (ok ? 'ok' : 'FAILED');
  const lines = [
    `seed ${r.seed}, ${r.wallSeconds} s`,
    '',
    `webhook: ${r.webhook.requests} requests; answers ${statuses(r.webhook.byStatus)}`,
    `  mutations: ${Object.entries(r.webhook.byMutation)
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${n}`)
      .join(', ')}`,
    `  every answer allowed by the contract, no 5xx: ${check(r.webhook.failure === null)}`,
    `  workflows started by a refused body: ${r.webhook.startedByRefused.length} ${check(r.webhook.startedByRefused.length === 0)}`,
    `  accepted (${r.webhook.accepted}) but no workflow: ${r.webhook.acceptedButMissing.length} ${check(r.webhook.acceptedButMissing.length === 0)}`,
    `  set-up signals: ${r.webhook.setupSignals.found} for ${r.webhook.setupSignals.expected} accepted catalog events ${check(r.webhook.setupSignals.found === r.webhook.setupSignals.expected)}`,
    `admin: ${r.admin.requests} requests; answers ${statuses(r.admin.byStatus)}`,
    `  every answer allowed, no 5xx: ${check(r.admin.failure === null)}`,
    `  refused changes that changed the set-up: ${r.admin.setupChangedByRefused.length} ${check(r.admin.setupChangedByRefused.length === 0)}`,
    `  workflows started by a refused request: ${r.admin.startedByRefused.length} ${check(r.admin.startedByRefused.length === 0)}`,
    `  failed workflow tasks of the set-up workflow: ${r.admin.setupTaskFailures} ${check(r.admin.setupTaskFailures === 0)}`,
    `API heap after GC: ${r.heap.firstMiB.toFixed(1)} MiB after the first tenth → ${r.heap.lastMiB.toFixed(1)} MiB at the end ${gc ? check(r.heap.flat) : '(run node with --expose-gc to check)'}`,
    `Object.prototype untouched: ${check(r.prototypePollution.length === 0)}`,
  ];
  for (const failure of [r.webhook.failure, r.admin.failure]) if (failure) lines.push('', failure);
  for (const [what, list] of [
    ['started by a refused body', r.webhook.startedByRefused],
    ['accepted but missing', r.webhook.acceptedButMissing],
    ['set-up changed by a refused request', r.admin.setupChangedByRefused],
    ['started by a refused admin request', r.admin.startedByRefused],
    ['on Object.prototype', r.prototypePollution],
  ] as const)
    if (list.length > 0) lines.push('', `${what}: ${list.slice(0, 20).join(', ')}`);
  lines.push('', r.clean ? 'clean' : 'FAILED');
  return lines.join('\n');
}
