// The load of the ingest section, generated on a thread of its own: the sender's work (signing,
// HTTP, gRPC) must not share an event loop with the API it measures, as Deskworks does not.
// Both paths, bare signalWithStart and webhook, are sent from this thread the same way: each
// round's events are built before its clock starts, and the webhook's go out over node:http with
// kept-alive sockets (fetch cost this thread as much again), so the ratio is the API's own cost.
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import { deliveryFor } from '../../src/api/event-router';
import { memberCreated } from '../../src/demo/event-builders';
import { signalPersonWithStart } from '../../src/shared/person-signal';
import { personStartSource } from '../../src/api/person-start';
import { DEMO_EMAIL_LOOKUP_KEY } from '../../src/shared/email-lookup';
import { signDeskworksPayload } from '../../src/api/signature';
import { testDataConverter } from '../helpers/test-data-converter';
import { newDeskMember, ratePerSecond } from './bench-support';
import { threadCpuSeconds } from './process-stats';
import { floorSignal } from './floor-shared';
// Only the type: this file also runs as the sender thread, which must not load the whole stack.
import type { Stack } from '../helpers/stack';

export interface IngestTarget {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  apiUrl: string;
  webhookSecret: string;
  concurrency: number;
}

/**
 * A round of new members: through the webhook, by bare signalWithStart of their persons, or (probe)
 * by the same signalWithStart of a floor workflow (floor-workflows.ts) on its own queue.
 */
export type IngestRound = { count: number; tag: string } & (
  { kind: 'bare' | 'webhook' } | { kind: 'probe'; probe: FloorProbe }
);

/** The floor workflow a probe round starts, and the task queue its workers poll. */
export interface FloorProbe {
  workflowType: string;
  taskQueue: string;
}

/** A round's events accepted per second, and the CPU seconds the sender's thread used for them. */
export interface RoundResult {
  rate: number;
  senderCpuSeconds: number | null;
  /** Building the round's events before its clock starts: the sender's, but not per event sent. */
  buildCpuSeconds: number | null;
}

interface RoundAnswer {
  rate?: number;
  senderCpuSeconds?: number | null;
  buildCpuSeconds?: number | null;
  error?: string;
}

/** A thread that sends rounds of new members and answers each round's rate per second. */
export class IngestLoad {
  private readonly worker: Worker;
  private waiting: ((answer: RoundAnswer) => void) | null = null;

  /** A sender aimed at a stack's API and Temporal. */
  static against(stack: Stack, webhookSecret: string, concurrency: number): IngestLoad {
    return new IngestLoad({
      temporalAddress: stack.env.address,
      namespace: stack.namespace,
      taskQueue: stack.taskQueue,
      apiUrl: stack.apiUrl,
      webhookSecret,
      concurrency,
    });
  }

  constructor(target: IngestTarget) {
    this.worker = new Worker(__filename, { workerData: target });
    this.worker.on('message', (answer: RoundAnswer) => this.waiting?.(answer));
    this.worker.on('error', (err) => this.waiting?.({ error: String(err) }));
  }

  /** Sends one round and answers its rate. */
  async round(round: IngestRound): Promise<RoundResult> {
    const answer = await new Promise<RoundAnswer>((resolve) => {
      this.waiting = resolve;
      this.worker.postMessage(round);
    });
    this.waiting = null;
    if (answer.error !== undefined || answer.rate === undefined) throw new Error(answer.error ?? 'no rate');
    return {
      rate: answer.rate,
      senderCpuSeconds: answer.senderCpuSeconds ?? null,
      buildCpuSeconds: answer.buildCpuSeconds ?? null,
    };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** POSTs one signed body to the webhook; answers its status (and its body when not 202). */
function postSigned(
  agent: Agent,
  url: URL,
  raw: string,
  secret: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(raw),
          'Deskworks-Signature': signDeskworksPayload(raw, secret, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(raw);
  });
}

async function serve(target: IngestTarget): Promise<void> {
  const connection = await Connection.connect({ address: target.temporalAddress });
  const client = new Client({ connection, namespace: target.namespace, dataConverter: testDataConverter });
  const agent = new Agent({ keepAlive: true, maxSockets: target.concurrency });
  const webhookUrl = new URL('/webhooks/deskworks', target.apiUrl);
  // The same calls as the webhook's: with what it sends a person's start (the set-up, the hash).
  const personStart = personStartSource({ client, emailSecret: DEMO_EMAIL_LOOKUP_KEY });
  parentPort!.on('message', (round: IngestRound) => {
    play(round).catch((err: unknown) =>
      parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
  async function play(round: IngestRound): Promise<void> {
    const buildBefore = threadCpuSeconds();
    const events = Array.from({ length: round.count }, (_, i) =>
      memberCreated(newDeskMember(`${round.tag}-${i}`)),
    );
    const deliveries = events.map((event) => {
      const delivery = deliveryFor(event);
      if (delivery.workflow !== 'person') throw new Error('a member event goes to a person');
      return delivery;
    });
    const bodies = events.map((event) => JSON.stringify(event));
    const starts =
      round.kind === 'bare' ? await Promise.all(deliveries.map((d) => personStart(d.event))) : [];
    const send = async (i: number): Promise<void> => {
      if (round.kind === 'probe') {
        const { probe } = round;
        // The member's event as the signal's payload: the same bytes as a person's.
        await client.workflow.signalWithStart(probe.workflowType, {
          workflowId: `${round.tag}-${i}`,
          taskQueue: probe.taskQueue,
          signal: floorSignal,
          signalArgs: [deliveries[i]!.event],
        });
        return;
      }
      if (round.kind === 'bare') {
        const delivery = deliveries[i]!;
        await signalPersonWithStart(client, target.taskQueue, delivery.personId, delivery.event, starts[i]);
        return;
      }
      const answer = await postSigned(agent, webhookUrl, bodies[i]!, target.webhookSecret);
      if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
    };
    const cpuBefore = threadCpuSeconds();
    const between = (a: number | null, b: number | null): number | null =>
      a === null || b === null ? null : b - a;
    ratePerSecond(round.count, target.concurrency, send).then(
      (rate) => {
        const senderCpuSeconds = between(cpuBefore, threadCpuSeconds());
        const buildCpuSeconds = between(buildBefore, cpuBefore);
        parentPort!.postMessage({ rate, senderCpuSeconds, buildCpuSeconds } satisfies RoundAnswer);
      },
      (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    );
  }
}

if (!isMainThread) void serve(workerData as IngestTarget);
