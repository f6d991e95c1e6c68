// `npm run bench` section "drain": how many new members the engine brings into SALTO KS per
// second when they come faster than it can take them, against a bare `signalWithStart` measured
// in the same run (the ingest section). The goal "a new member costs at most twice a bare
// signalWithStart" reads: drain rate ≥ 0.5 × bare.
//
// A burst of new members goes through the webhook from a thread of its own (as in the ingest
// section); the clock runs from the first POST to the last member holding its groups in the
// simulator, so it is the engine's rate, not the webhook's.
import {
  BERLIN,
  clearSaltoRequests,
  GROUPS,
  mapTestSetup,
  saltoRequestCount,
  uniqueId,
} from '../e2e/e2e-support';
import { startStack, WEBHOOK_SECRET, type StackOptions } from '../helpers/stack';
import { IngestLoad } from './ingest-load';
import { MembershipWatcher, newDeskMember, progress, warmUp, type Figure } from './bench-support';

export interface DrainOptions {
  /** New members in the burst. */
  members: number;
  /** Webhook requests in flight while the burst is sent. */
  concurrency: number;
}

/** SALTO KS calls that bring in a new hot-desk member at Berlin: look up, create, two groups. */
const MINIMAL_CALLS_PER_MEMBER = 2 + GROUPS.deskBerlin.length;

export async function drain(
  o: DrainOptions,
  stackOptions: StackOptions,
  bareRate: number | null,
  figures: Figure[],
): Promise<number> {
  const stack = await startStack(stackOptions);
  // A poll reads the whole simulator: every 200 ms is often enough against seconds of drain.
  const watcher = new MembershipWatcher(stack, 200);
  let load: IngestLoad | null = null;
  try {
    await mapTestSetup(stack);
    await warmUp(stack);
    await clearSaltoRequests(stack);
    load = IngestLoad.against(stack, WEBHOOK_SECRET, o.concurrency);
    const tag = uniqueId('drain');
    const started = performance.now();
    for (let i = 0; i < o.members; i++)
      watcher.expect(newDeskMember(`${tag}-${i}`).email, BERLIN.siteId, GROUPS.deskBerlin, started);
    const { rate: accepted } = await load.round({ kind: 'webhook', count: o.members, tag });
    progress(`drain: ${o.members} new members accepted at ${accepted.toFixed(1)}/s; waiting for their doors`);
    await watcher.settle(Math.max(120_000, o.members * 1000));
    const seen = [...watcher.seenAfterMs.values()];
    if (watcher.pending > 0)
      throw new Error(`drain: ${watcher.pending} of ${o.members} new members never held their groups`);
    const seconds = Math.max(...seen) / 1000;
    const rate = o.members / seconds;
    const calls = await saltoRequestCount(stack);
    figures.push(
      {
        section: 'drain',
        name: 'new members into SALTO KS per second',
        value: rate,
        unit: '/s',
        note: `a burst of ${o.members} through the webhook (accepted at ${accepted.toFixed(1)}/s, ${o.concurrency} in flight); ${seconds.toFixed(1)} s to the last one's doors`,
      },
      {
        section: 'drain',
        name: 'drain / bare signalWithStart',
        value: bareRate === null ? null : rate / bareRate,
        unit: '×',
        goal: '≥ 0.5',
        note:
          bareRate === null
            ? 'no bare rate: run the ingest section too (--only ingest,drain)'
            : `bare rate ${bareRate.toFixed(1)}/s from the ingest section of this run`,
      },
      {
        section: 'drain',
        name: 'SALTO KS calls per new member / minimal',
        value: calls / (o.members * MINIMAL_CALLS_PER_MEMBER),
        unit: '×',
        goal: '1.00',
        note: `${calls} calls; minimal ${MINIMAL_CALLS_PER_MEMBER} per member: look up, create, one per group`,
      },
    );
    return rate;
  } finally {
    watcher.stop();
    await load?.close();
    await stack.stop();
  }
}
