// Test environments on the Temporal binaries that scripts/temporal-binaries.mjs obtained
// (from the Go module proxy and Maven Central); the SDK's own download is the fallback.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/shared/search-attributes';
import { devServerDynamicConfigArgs } from '../../src/shared/temporal-server-settings';
import { registerSearchAttributes } from '../../src/runtime/search-attributes-registration';
import { createLogger } from '../../src/runtime/log';
import { installSandboxWatchdog } from '../../src/runtime/sandbox-watchdog';
import { javaTestServerConnection } from './java-test-server-connection';
import { testDataConverter } from './test-data-converter';

interface Manifest {
  cli?: { path: string | null };
  testServer?: { path: string | null };
}

// Keep test output readable: the worker's INFO lines drown the test reporter.
Runtime.install({ logger: new DefaultLogger('WARN') });
// The in-process workers of the tests and benchmarks enter the sandbox as the product's do: a
// workflow stuck in it for 5 s ends the test process (exit 70), with a line naming it on stderr.
if (process.env.WORKER_DEADLOCK_DETECTION !== 'sdk')
  installSandboxWatchdog({
    logger: createLogger('test-worker', 'json', (line) => void process.stderr.write(`${line}\n`)),
  });

const projectRoot = join(__dirname, '..', '..', '..');

function manifest(): Manifest {
  try {
    return JSON.parse(readFileSync(join(projectRoot, '.temporal-bin', 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

/** The Temporal CLI that scripts/temporal-binaries.mjs built or found, if any. */
export function temporalCliPath(): string | undefined {
  return manifest().cli?.path ?? undefined;
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = manifest().testServer?.path;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    ...(path ? { server: { executable: { type: 'existing-path', path } } } : {}),
    client: { dataConverter: testDataConverter },
    plugins: [javaTestServerConnection],
  });
  // Like any Temporal server, the test server refuses undeclared search attributes.
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * A fresh dev server (the Temporal CLI) with the project's search attributes: in memory, or in a
 * SQLite file as `npm start` keeps it (the benchmarks measure that file's size).
 */
export async function createDevServerEnv(
  options: { dbFilename?: string } = {},
): Promise<TestWorkflowEnvironment> {
  const path = temporalCliPath();
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: testDataConverter },
    server: {
      ...(path ? { executable: { type: 'existing-path' as const, path } } : {}),
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
      searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
      extraArgs: ['--log-level', 'error', ...devServerDynamicConfigArgs()],
    },
  });
}
