// Workers as real processes (`dist/worker-main.js`) beside a stack started with `workers: 0`: what
// a worker killed with `kill -9` means can only be measured on a process of its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { TEST_PAYLOAD_KEYS_TEXT } from './test-data-converter';
import type { Stack } from './stack';

const DIST = join(__dirname, '..', '..', 'src');

export interface WorkerProcess {
  /** The identity it polls with (the SDK's default, `pid@host`), as histories and pollers name it. */
  identity: string;
  child: ChildProcess;
  /** Its output so far, for the error message when something goes wrong. */
  output: string[];
}

/** Where the workers poll and which SALTO KS they call. */
export interface WorkerTarget {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  saltoUrl: string;
  importStagingDir: string;
  /** More environment for every worker (for example SALTO_KS_REQUEST_TIMEOUT_MS). */
  env?: Record<string, string>;
}

export class WorkerProcesses {
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'bench-workers-'));
  private readonly bundlePath = join(this.dataDir, 'workflow-bundle.js');
  private readonly running = new Set<WorkerProcess>();
  private started = 0;

  /** Workers beside a stack started with `workers: 0`. */
  static forStack(stack: Stack, env?: Record<string, string>): WorkerProcesses {
    return new WorkerProcesses({
      temporalAddress: stack.env.address,
      namespace: stack.namespace,
      taskQueue: stack.taskQueue,
      saltoUrl: stack.sim.url,
      importStagingDir: stack.importStagingDir,
      ...(env ? { env } : {}),
    });
  }

  constructor(private readonly target: WorkerTarget) {
    // As the image does: the workflow code bundled once, so a restarted worker polls in seconds.
    execFileSync(process.execPath, [join(DIST, 'build-workflow-bundle.js'), this.bundlePath], {
      stdio: 'pipe',
    });
  }

  /** Starts one more worker and resolves once Temporal lists it polling for workflow and activity tasks. */
  async start(): Promise<WorkerProcess> {
    const n = this.started++;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: this.target.temporalAddress,
      TEMPORAL_NAMESPACE: this.target.namespace,
      TEMPORAL_TASK_QUEUE: this.target.taskQueue,
      PAYLOAD_ENCRYPTION_KEYS: TEST_PAYLOAD_KEYS_TEXT,
      SALTO_KS_IDENTITY_URL: this.target.saltoUrl,
      SALTO_KS_API_URL: this.target.saltoUrl,
      SALTO_KS_CLIENT_ID: DEMO_CLIENT_ID,
      SALTO_KS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      SALTO_KS_USERNAME: DEMO_SYSTEM_USER,
      SALTO_KS_PASSWORD: DEMO_SYSTEM_PASSWORD,
      SALTO_KS_CONNECTION_FILE: join(this.dataDir, `salto-connection-${n}-${Date.now()}.enc`),
      SALTO_KS_CONNECTION_KEY: 'bench-worker-connection-key-0123456789abcdef',
      IMPORT_STAGING_DIR: this.target.importStagingDir,
      WORKFLOW_BUNDLE_PATH: this.bundlePath,
      // To compare with the SDK's own deadlock timeout: WORKER_DEADLOCK_DETECTION=sdk.
      ...(process.env.WORKER_DEADLOCK_DETECTION
        ? { WORKER_DEADLOCK_DETECTION: process.env.WORKER_DEADLOCK_DETECTION }
        : {}),
      ...this.target.env,
    };
    // To profile the workers of a run: WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR'.
    const nodeArgs = (process.env.WORKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const child = spawn(process.execPath, [...nodeArgs, join(DIST, 'worker-main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const worker: WorkerProcess = { identity: `${child.pid}@${hostname()}`, child, output };
    this.running.add(worker);
    child.once('exit', () => this.running.delete(worker));
    await this.untilPolling(worker);
    return worker;
  }

  /** `kill -9`: no shutdown, no goodbye to Temporal; its tasks in flight are simply lost. */
  async kill(worker: WorkerProcess): Promise<void> {
    const exited = new Promise((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGKILL');
    await exited;
  }

  get all(): WorkerProcess[] {
    return [...this.running];
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running].map(async (w) => {
        const exited = new Promise((resolve) => w.child.once('exit', resolve));
        w.child.kill('SIGTERM');
        await exited;
      }),
    );
  }

  private async untilPolling(worker: WorkerProcess): Promise<void> {
    const connection = await Connection.connect({ address: this.target.temporalAddress });
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (worker.child.exitCode !== null)
          throw new Error(
            `worker ${worker.identity} exited (${worker.child.exitCode}):\n${worker.output.join('')}`,
          );
        const polling = await Promise.all(
          [
            temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          ].map(async (taskQueueType) => {
            const queue = await connection.workflowService.describeTaskQueue({
              namespace: this.target.namespace,
              taskQueue: { name: this.target.taskQueue },
              taskQueueType,
            });
            return (queue.pollers ?? []).some((p) => p.identity === worker.identity);
          }),
        );
        if (polling.every(Boolean)) return;
        if (Date.now() > deadline)
          throw new Error(`worker ${worker.identity} not polling after 120 s:\n${worker.output.join('')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await connection.close();
    }
  }
}
