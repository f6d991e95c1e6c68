// People out of sync with SALTO KS, counted through Temporal visibility when Prometheus scrapes:
// the same query as the people list's "out of sync" filter, so the gauge and the page agree.
import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import { peopleVisibilityQuery } from '../api/people-query';

/** Registers `people_out_of_sync` and `people_total`; each scrape asks Temporal (within 3 s). */
export function peopleMetrics(registry: Registry, client: Client): void {
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
    name: 'people_total',
    help: 'Running person workflows: everyone Deskworks has told about',
    registers: [registry],
    async collect() {
      this.set(await count(peopleVisibilityQuery({})));
    },
  });
}
