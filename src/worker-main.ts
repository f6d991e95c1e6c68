// `npm run worker`: one worker (run any number) against TEMPORAL_ADDRESS. It starts nothing else;
// it registers missing search attributes and makes sure the set-up workflow and the reconcile
// schedule exist, all idempotently.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { ConfigError, loadConfig } from './config';
import { ensureReconcileSchedule, ensureSetupWorkflow } from './runtime/long-lived-workflows';
import { saltoFromConfig } from './runtime/salto-from-env';
import { registerSearchAttributes } from './runtime/search-attributes-registration';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function connectWithRetry(address: string): Promise<Connection> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await Connection.connect({ address });
    } catch (err) {
      if (attempt >= 30) throw err;
      log(`Temporal at ${address} not reachable yet (${(err as Error).message}); retrying in 2 s`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { client: saltoClient } = saltoFromConfig(config);
  const namespace = config.TEMPORAL_NAMESPACE;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;

  const connection = await connectWithRetry(config.TEMPORAL_ADDRESS);
  const added = await registerSearchAttributes(connection, namespace);
  if (added.length > 0) log(`registered search attributes: ${added.join(', ')}`);
  const client = new Client({ connection, namespace });

  const activities = createActivities({
    client,
    saltoClient,
    taskQueue,
    defaultLeadMinutes: config.RESERVATION_LEAD_MINUTES,
    defaultLagMinutes: config.RESERVATION_LAG_MINUTES,
  });

  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
    namespace,
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
  });

  const defaults = {
    reservationLeadMinutes: config.RESERVATION_LEAD_MINUTES,
    reservationLagMinutes: config.RESERVATION_LAG_MINUTES,
  };
  await ensureSetupWorkflow(client, taskQueue, defaults);
  await ensureReconcileSchedule(client, taskQueue, config.RECONCILE_INTERVAL_MINUTES);
  log(
    `worker polling task queue ${taskQueue} on ${config.TEMPORAL_ADDRESS} (namespace ${namespace}); reconcile every ${config.RECONCILE_INTERVAL_MINUTES} min`,
  );
  await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks finished
  await connection.close();
  log('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(
    err instanceof ConfigError
      ? `${err.message}\n`
      : `worker failed: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(err instanceof ConfigError ? 2 : 1);
});
