// What the benchmarks share: percentiles, a table of figures, paced sending, and a watcher that
// notes when each expected SALTO KS membership first shows in the simulator.
import type { MemberSnapshot } from '../../src/api/deskworks-events';
import { memberCreated } from '../../src/demo/event-builders';
import {
  BERLIN,
  berlinDeskMember,
  GROUPS,
  saltoState,
  setSimulatorFaults,
  uniqueId,
  waitForSaltoGroups,
} from '../e2e/e2e-support';
import type { SimStateView } from '../../src/simulator/model';
import type { Stack } from '../helpers/stack';

export interface Figure {
  section: string;
  name: string;
  value: number | null;
  unit: string;
  goal?: string;
  note?: string;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** A progress line of `npm run bench`, on stderr (stdout carries the figures). */
export const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

export const median = (values: number[]): number | null => percentile(values, 50);

export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    f.value === null
      ? '–'
      : `${Number.isInteger(f.value) ? f.value : f.value.toFixed(f.value < 10 ? 2 : 1)} ${f.unit}`.trim(),
    f.goal ?? '',
    f.note ?? '',
  ]);
  const head = ['section', 'figure', 'value', 'goal', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs `send(i)` for i < count with at most `concurrency` in flight; answers calls per second. */
export async function ratePerSecond(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** A new member at Berlin with a hot desk since yesterday: two groups on the Berlin site. */
export function newDeskMember(id: string): MemberSnapshot {
  return berlinDeskMember(id, 'Bench', id);
}

/**
 * A site's users by e-mail and groups by platform user, built once per poll: looking up each of
 * 5,000 awaited e-mails among 10,000 users one by one made the watcher itself quadratic.
 */
class StateIndex {
  private readonly users = new Map<string, string[]>();
  private readonly groups = new Map<string, string[]>();

  constructor(state: SimStateView) {
    for (const site of state.sites) {
      for (const user of site.users) {
        const key = `${site.id} ${user.email.toLowerCase()}`;
        this.users.set(key, [...(this.users.get(key) ?? []), user.userId]);
      }
      for (const group of site.access_groups) {
        for (const member of group.members) {
          const key = `${site.id} ${member}`;
          this.groups.set(key, [...(this.groups.get(key) ?? []), group.id]);
        }
      }
    }
  }

  /** The platform user ids with this e-mail on the site. */
  usersByEmail(siteId: string, email: string): string[] {
    return this.users.get(`${siteId} ${email.toLowerCase()}`) ?? [];
  }

  /** The groups of the site whose members include this platform user, sorted. */
  groupsOf(siteId: string, platformUserId: string): string[] {
    return [...(this.groups.get(`${siteId} ${platformUserId}`) ?? [])].sort();
  }
}

/**
 * Polls the simulator's state every `everyMs` and notes, per awaited e-mail, the first moment its
 * user holds all the expected groups on the site.
 */
export class MembershipWatcher {
  private readonly waiting = new Map<string, { siteId: string; groups: string; since: number }>();
  readonly seenAfterMs = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly stack: Stack,
    private readonly everyMs = 50,
  ) {}

  expect(email: string, siteId: string, groups: string[], since: number): void {
    this.waiting.set(email.toLowerCase(), { siteId, groups: JSON.stringify([...groups].sort()), since });
    this.timer ??= setInterval(() => void this.poll(), this.everyMs);
  }

  get pending(): number {
    return this.waiting.size;
  }

  /** Resolves once every awaited membership showed, or after `timeoutMs` (the rest stay pending). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.waiting.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Polls that failed (the simulator too busy to answer): counted, the next poll tries again. */
  failedPolls = 0;

  private async poll(): Promise<void> {
    if (this.polling || this.waiting.size === 0) return;
    this.polling = true;
    try {
      let state: Awaited<ReturnType<typeof saltoState>>;
      try {
        state = await saltoState(this.stack);
      } catch {
        this.failedPolls++;
        return;
      }
      const now = performance.now();
      const index = new StateIndex(state);
      for (const [email, want] of this.waiting) {
        const users = index.usersByEmail(want.siteId, email);
        if (users.length === 1 && JSON.stringify(index.groupsOf(want.siteId, users[0]!)) === want.groups) {
          this.seenAfterMs.set(email, now - want.since);
          this.waiting.delete(email);
        }
      }
    } finally {
      this.polling = false;
    }
  }
}

/** One new member through the webhook until it holds its doors: the worker's code is loaded and warm. */
export async function warmUp(stack: Stack): Promise<void> {
  const member = newDeskMember(uniqueId('warm'));
  await stack.sendEvent(memberCreated(member));
  await waitForSaltoGroups(stack, BERLIN.siteId, member.email, GROUPS.deskBerlin, 60_000);
}

export { setSimulatorFaults };

export const setSimulatorLatency = (stack: Stack, latencyMs: number): Promise<void> =>
  setSimulatorFaults(stack, { latencyMs });
