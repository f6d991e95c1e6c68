// People out of sync with SALTO KS, counted through Temporal visibility when Prometheus scrapes:
// the same query as the people list's "out of sync" filter, so the gauge and the page agree.
import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import { peopleVisibilityQuery } from '../api/people-query';
import { OutOfSyncSinceKey } from '../shared/search-attributes';

/** The most people out of sync a scrape reads to find the oldest (they are few when all is well). */
export const OLDEST_SCAN_LIMIT = 1000;

/**
 * Registers `people_out_of_sync`, `people_total` and `people_out_of_sync_oldest_seconds`; each
 * scrape asks Temporal (within 3 s).
 */
export function peopleMetrics(registry: Registry, client: Client, now: () => number = Date.now): void {
  // Temporal unreachable: NaN (unknown) for this scrape, never a made-up 0, and /metrics still answers.
  const count = (query: string): Promise<number> =>
    client
      .withDeadline(Date.now() + 3000, async () => (await client.workflow.count(query)).count)
      .catch(() => Number.NaN);
  new Gauge({
    name: 'people_out_of_sync',
    help: 'Person workflows whose SALTO KS access differs from what the rules give (their last pass failed or is under way)',
    registers: [registry],
    async collect() {
      this.set(await count(peopleVisibilityQuery({ outOfSync: 'true' })));
    },
  });
  new Gauge({
    name: 'people_out_of_sync_oldest_seconds',
    help: 'How long the person out of sync the longest has been so (SaltoOutOfSyncSince); 0 when everyone is in sync',
    registers: [registry],
    async collect() {
      this.set(await oldestOutOfSyncSeconds(client, now));
    },
  });
  new Gauge({
    name: 'people_total',
    help: 'Running person workflows: everyone Deskworks has told about',
    registers: [registry],
    async collect() {
      this.set(await count(peopleVisibilityQuery({})));
    },
  });
}

/** Seconds since the earliest SaltoOutOfSyncSince among people out of sync; NaN when Temporal does not answer. */
export async function oldestOutOfSyncSeconds(client: Client, now: () => number = Date.now): Promise<number> {
  try {
    return await client.withDeadline(Date.now() + 3000, async () => {
      let oldest: number | null = null;
      let read = 0;
      for await (const info of client.workflow.list({
        query: peopleVisibilityQuery({ outOfSync: 'true' }),
      })) {
        const since = info.typedSearchAttributes.get(OutOfSyncSinceKey);
        if (since && (oldest === null || since.getTime() < oldest)) oldest = since.getTime();
        if (++read >= OLDEST_SCAN_LIMIT) break;
      }
      return oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000);
    });
  } catch {
    return Number.NaN;
  }
}
