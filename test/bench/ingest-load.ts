// The load of the ingest section, generated on a thread of its own: the sender's work (signing,
// HTTP, gRPC) must not share an event loop with the API it measures, as Deskworks does not.
// Both paths, bare signalWithStart and webhook, are sent from this thread the same way.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Client, Connection } from '@temporalio/client';
import { deliveryFor } from '../../src/api/event-router';
import { memberCreated } from '../../src/demo/event-builders';
import { signalPersonWithStart } from '../../src/shared/person-signal';
import { sendSignedEvent } from '../helpers/http-calls';
import { testDataConverter } from '../helpers/test-data-converter';
import { newDeskMember, ratePerSecond } from './bench-support';

export interface IngestTarget {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  apiUrl: string;
  webhookSecret: string;
  concurrency: number;
}

interface Round {
  kind: 'bare' | 'webhook';
  count: number;
  tag: string;
}

/** A thread that sends rounds of new members and answers each round's rate per second. */
export class IngestLoad {
  private readonly worker: Worker;
  private waiting: ((answer: { rate?: number; error?: string }) => void) | null = null;

  constructor(target: IngestTarget) {
    this.worker = new Worker(__filename, { workerData: target });
    this.worker.on('message', (answer: { rate?: number; error?: string }) => this.waiting?.(answer));
    this.worker.on('error', (err) => this.waiting?.({ error: String(err) }));
  }

  async round(kind: Round['kind'], count: number, tag: string): Promise<number> {
    const answer = await new Promise<{ rate?: number; error?: string }>((resolve) => {
      this.waiting = resolve;
      this.worker.postMessage({ kind, count, tag } satisfies Round);
    });
    this.waiting = null;
    if (answer.error !== undefined || answer.rate === undefined) throw new Error(answer.error ?? 'no rate');
    return answer.rate;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

async function serve(target: IngestTarget): Promise<void> {
  const connection = await Connection.connect({ address: target.temporalAddress });
  const client = new Client({ connection, namespace: target.namespace, dataConverter: testDataConverter });
  parentPort!.on('message', (round: Round) => {
    const send = async (i: number): Promise<void> => {
      const member = newDeskMember(`${round.tag}-${i}`);
      const event = memberCreated(member);
      if (round.kind === 'bare') {
        const delivery = deliveryFor(event);
        if (delivery.workflow !== 'person') throw new Error('a member event goes to a person');
        await signalPersonWithStart(client, target.taskQueue, delivery.personId, delivery.event);
        return;
      }
      const answer = await sendSignedEvent(target.apiUrl, event, target.webhookSecret);
      if (answer.status !== 202)
        throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    };
    ratePerSecond(round.count, target.concurrency, send).then(
      (rate) => parentPort!.postMessage({ rate }),
      (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

if (!isMainThread) void serve(workerData as IngestTarget);
