// The product against a Temporal that requires mTLS: a real cluster (PostgreSQL + Temporal server
// v1.32, scripts/temporal-cluster.mjs) whose frontend asks for a client certificate signed by a
// CA the test makes. `npm run worker` and `npm run api` run as separate processes configured only
// through TEMPORAL_* variables, in production mode (payload key required), as the production image
// runs them (workflow code bundled beforehand, health checks), and a member's doors reach SALTO KS.
// Clients without the right certificate are refused.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { memberCreated } from '../../src/demo/event-builders';
import { clientConnectionOptions, temporalConnectionSettings } from '../../src/runtime/temporal-connection';
import { waitForPort } from '../../src/runtime/wait-for-port';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SEED,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { callAdminApi, sendSignedEvent } from '../helpers/http-calls';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates';
import { startTestCluster, type TestCluster } from '../helpers/test-cluster';
import { TEST_PAYLOAD_KEYS_TEXT } from '../helpers/test-data-converter';
import {
  BERLIN,
  berlinDeskMember,
  GROUPS,
  mapTestSetup,
  uniqueId,
  waitForSaltoGroups,
  type ProductUnderTest,
} from './e2e-support';

const ADMIN_TOKEN = 'mtls-test-admin-token-0123456789';
const WEBHOOK_SECRET = 'mtls-test-webhook-secret-0123456789';
const dist = join(__dirname, '..', '..', 'src');

describe('a Temporal that requires mTLS', { timeout: 600_000 }, () => {
  let certs: TestCertificates;
  let cluster: TestCluster;
  let sim: RunningSimulator;
  const children: ChildProcess[] = [];
  const output: string[] = [];
  let apiUrl: string;

  before(async () => {
    certs = makeTestCertificates();
    cluster = await startTestCluster({ tlsDir: certs.dir });
    sim = await startSimulator({ port: 0, seed: DEMO_SEED });
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    for (const child of children)
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    await sim?.close();
    await cluster?.stop();
  });

  /** The TEMPORAL_* variables an operator sets for a self-hosted mTLS cluster. */
  const mtlsEnv = (): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
  });

  async function systemInfo(env: NodeJS.ProcessEnv): Promise<void> {
    const connection = await Connection.connect({
      ...clientConnectionOptions(temporalConnectionSettings(env)),
      connectTimeout: 5_000,
    });
    try {
      await connection.withDeadline(Date.now() + 5_000, () => connection.workflowService.getSystemInfo({}));
    } finally {
      await connection.close();
    }
  }

  it('admits a client with the CA-signed certificate, and refuses plaintext, no certificate and a stranger', async () => {
    await systemInfo(mtlsEnv());
    await assert.rejects(systemInfo({ TEMPORAL_ADDRESS: cluster.address }), 'plaintext');
    await assert.rejects(
      systemInfo({ TEMPORAL_ADDRESS: cluster.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca }),
      'TLS without a client certificate',
    );
    await assert.rejects(
      systemInfo({
        ...mtlsEnv(),
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.strangerCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.strangerKey,
      }),
      'a certificate from another CA',
    );
  });

  it('runs the worker and the API on it: a member created through the webhook gets its doors', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const workerHealthPort = port + 1;
    const dataDir = mkdtempSync(join(tmpdir(), 'mtls-app-'));
    // As the image's build does: the workflow code bundled once, before any worker starts.
    const bundlePath = join(dataDir, 'workflow-bundle.js');
    execFileSync(process.execPath, [join(dist, 'build-workflow-bundle.js'), bundlePath], { stdio: 'pipe' });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ...mtlsEnv(),
      TEMPORAL_TASK_QUEUE: `mtls-${Date.now()}`,
      PAYLOAD_ENCRYPTION_KEYS: TEST_PAYLOAD_KEYS_TEXT,
      PORT: String(port),
      DESKWORKS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ADMIN_TOKEN,
      SALTO_KS_IDENTITY_URL: sim.url,
      SALTO_KS_API_URL: sim.url,
      SALTO_KS_CLIENT_ID: DEMO_CLIENT_ID,
      SALTO_KS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      SALTO_KS_USERNAME: DEMO_SYSTEM_USER,
      SALTO_KS_PASSWORD: DEMO_SYSTEM_PASSWORD,
      SALTO_KS_CONNECTION_FILE: join(dataDir, 'salto-connection.enc'),
      SALTO_KS_CONNECTION_KEY: 'mtls-test-connection-key-0123456789abcdef',
      ADMIN_SIGNED_OUT_SESSIONS_FILE: join(dataDir, 'signed-out-sessions.json'),
      WORKFLOW_BUNDLE_PATH: bundlePath,
      WORKER_HEALTH_PORT: String(workerHealthPort),
    };
    for (const main of ['worker-main.js', 'api-main.js']) {
      const child = spawn(process.execPath, [join(dist, main)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => output.push(`[${main}] ${d.toString()}`));
      child.stderr.on('data', (d: Buffer) => output.push(`[${main}] ${d.toString()}`));
      children.push(child);
    }
    apiUrl = `http://localhost:${port}`;
    await waitForPort('127.0.0.1', port, 60_000, 'the API');
    const product: ProductUnderTest = {
      sim,
      api: (method, path, body) => callAdminApi(apiUrl, ADMIN_TOKEN, method, path, body),
      async eventually(check, timeoutMs = 60_000, what = 'condition') {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const value = await check().catch(() => undefined);
          if (value !== undefined) return value;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.join('')}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
    };
    // The API answers 503 until the worker has started the set-up workflow.
    await product.eventually(
      async () => ((await product.api('GET', '/api/setup')).status === 200 ? true : undefined),
      120_000,
      'the set-up to answer',
    );
    await mapTestSetup(product);
    const id = uniqueId('m');
    const member = berlinDeskMember(id, 'Mia', 'Mutual');
    const answer = await sendSignedEvent(apiUrl, memberCreated(member), WEBHOOK_SECRET);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    await waitForSaltoGroups(product, BERLIN.siteId, member.email, GROUPS.deskBerlin, 60_000);
    assert.ok(
      output.some((line) => /worker polling .* mTLS; payloads encrypted \(key test-1\)/.test(line)),
      `the worker says how it connected:\n${output.join('')}`,
    );
    assert.ok(
      output.some((line) => line.includes(`workflow code pre-bundled: ${bundlePath}`)),
      `the worker ran the pre-built bundle:\n${output.join('')}`,
    );
    // The image's health check, against the API and the worker.
    const healthcheck = (url: string): string =>
      execFileSync(process.execPath, [join(dist, 'healthcheck.js'), url], { encoding: 'utf8' });
    assert.match(healthcheck(`${apiUrl}/healthz`), /^200 .*"temporal":"reachable"/);
    assert.match(
      healthcheck(`http://127.0.0.1:${workerHealthPort}/healthz`),
      /^200 \{"healthy":true,"state":"RUNNING","temporal":"reachable"\}/,
    );
    assert.throws(() => healthcheck(`http://127.0.0.1:${workerHealthPort}/nothing`), 'a 404 fails the check');
  });
});
