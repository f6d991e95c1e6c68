// `npm run bench` section "floor": the least a new member can cost with one workflow per person,
// on the same Temporal server, the same workers' settings and the same burst as the drain section.
// Each floor workflow (floor-workflows.ts) takes the signal its signalWithStart carries, does the
// least work of its kind, and is done: no SALTO KS, no set-up, no decision. Their rates against the
// bare signalWithStart of the ingest section say which drain goals a design of that kind could
// reach here at all, and the drain's rate against them says how far the engine is from its kind.
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/runtime/workflow-code';
import { workerTuning } from '../../src/runtime/worker-tuning';
import { uniqueId } from '../e2e/e2e-support';
import { QUIET_BUNDLER_LOGGER, startStack, type StackOptions } from '../helpers/stack';
import { testDataConverter } from '../helpers/test-data-converter';
import { progress, type Figure } from './bench-support';
import { FLOOR_WORKFLOWS, type FloorActivities, type FloorSinks } from './floor-shared';
import { IngestLoad } from './ingest-load';
import type { InjectedSinks } from '@temporalio/worker';

export interface FloorOptions {
  /** Workflows in each burst (the drain section's members). */
  members: number;
  /** signalWithStart calls in flight while a burst is sent. */
  concurrency: number;
  /** Workers polling the floor's queue: as many as the drain section's stack runs. */
  workers: number;
}

/** The drain's rate is compared with the floor of its own kind: a pass with activity tasks. */
const DRAIN_KIND: keyof typeof FLOOR_WORKFLOWS = 'one activity task';

export async function floor(
  o: FloorOptions,
  stackOptions: StackOptions,
  rates: { bare: number | null; drain: number | null },
  figures: Figure[],
): Promise<void> {
  // The server and its settings only: the floor's own workers take the place of the engine's.
  const stack = await startStack({ ...stackOptions, workers: 0 });
  const taskQueue = uniqueId('floor');
  const doneAt = new Map<string, number>();
  const sinks: InjectedSinks<FloorSinks> = {
    floor: {
      done: { fn: (info) => void doneAt.set(info.workflowId, performance.now()), callDuringReplay: false },
    },
  };
  const activities: FloorActivities = { floorNothing: () => Promise.resolve() };
  const { workflowsPath: _product, ...bundleOptions } = WORKFLOW_BUNDLE_OPTIONS;
  const workflowBundle = await bundleWorkflowCode({
    ...bundleOptions,
    workflowsPath: require.resolve('./floor-workflows'),
    logger: QUIET_BUNDLER_LOGGER,
  });
  const connections: NativeConnection[] = [];
  const workers: Worker[] = [];
  const runs: Promise<void>[] = [];
  let load: IngestLoad | null = null;
  try {
    for (let i = 0; i < o.workers; i++) {
      const connection = await NativeConnection.connect({ address: stack.env.address });
      connections.push(connection);
      workers.push(
        await Worker.create({
          connection,
          namespace: stack.namespace,
          taskQueue,
          workflowBundle,
          dataConverter: testDataConverter,
          ...workerTuning(),
          activities,
          sinks,
        }),
      );
    }
    runs.push(...workers.map((w) => w.run()));
    load = IngestLoad.against(stack, '', o.concurrency);
    const sender = load;
    /** Sends a burst of `count` and answers the workflows done per second, from the first call to the last done. */
    const burst = async (workflowType: string, count: number): Promise<number> => {
      const tag = uniqueId('burst');
      const started = performance.now();
      await sender.round({ kind: 'probe', count, tag, probe: { workflowType, taskQueue } });
      const deadline = Date.now() + Math.max(120_000, count * 1000);
      const ids = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
      while (ids.some((id) => !doneAt.has(id))) {
        if (Date.now() > deadline)
          throw new Error(
            `floor: ${ids.filter((id) => !doneAt.has(id)).length} of ${count} ${workflowType} never done`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
      const last = Math.max(...ids.map((id) => doneAt.get(id)!));
      return count / ((last - started) / 1000);
    };
    const measured: Partial<Record<keyof typeof FLOOR_WORKFLOWS, number>> = {};
    for (const [kind, workflowType] of Object.entries(FLOOR_WORKFLOWS) as [
      keyof typeof FLOOR_WORKFLOWS,
      string,
    ][]) {
      await burst(workflowType, 20); // warm: bundle, connections, JIT
      const rate = await burst(workflowType, o.members);
      measured[kind] = rate;
      progress(`floor: ${kind}: ${rate.toFixed(1)}/s`);
      figures.push(
        {
          section: 'floor',
          name: `${kind}: workflows done per second`,
          value: rate,
          unit: '/s',
          note: `a burst of ${o.members} signalWithStart (${o.concurrency} in flight), ${o.workers} worker(s), each workflow done after its signal and ${kind}`,
        },
        {
          section: 'floor',
          name: `${kind} / bare signalWithStart`,
          value: rates.bare === null ? null : rate / rates.bare,
          unit: '×',
          note:
            rates.bare === null
              ? 'no bare rate: run the ingest section too (--only ingest,drain,floor)'
              : `a drain goal above this cannot be reached by a design of this kind on this server`,
        },
      );
    }
    figures.push({
      section: 'floor',
      name: `drain / floor (${DRAIN_KIND})`,
      value: rates.drain === null ? null : rates.drain / measured[DRAIN_KIND]!,
      unit: '×',
      note:
        rates.drain === null
          ? 'no drain rate: run the drain section too (--only ingest,drain,floor)'
          : `the engine's new members per second against workflows that only take a signal and run one activity task`,
    });
  } finally {
    await load?.close();
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(runs);
    for (const c of connections) await c.close();
    await stack.stop();
  }
}
