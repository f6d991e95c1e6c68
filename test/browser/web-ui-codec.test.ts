// The Temporal Web UI reads person histories through the API's codec server: in Chromium, a
// browser without the admin sign-in gets only ciphertext (the codec answers 401, no e-mail on the
// page), and the same browser signed in on the set-up page sees the member's e-mail. A real
// cluster with the Web UI server (scripts/temporal-cluster.mjs, codec endpoint with credentials).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from './helpers/browser-test';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { memberCreated } from '../../src/demo/event-builders';
import { personWorkflowId } from '../../src/shared/ids';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import { startTestCluster, type TestCluster } from '../helpers/test-cluster';
import {
  BERLIN,
  berlinDeskMember,
  emailOf,
  GROUPS,
  mapTestSetup,
  uniqueId,
  waitForSaltoGroups,
} from '../e2e/e2e-support';
import { collectPageErrors, launchChromium, screenshot } from './helpers/browser';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

void describe('the Temporal Web UI through the codec server', { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let uiUrl: string;
  const memberId = uniqueId('m');
  const email = emailOf(memberId);

  before(async () => {
    const [apiPort, uiPort] = [await freePort(), await freePort()];
    uiUrl = `http://localhost:${uiPort}`;
    cluster = await startTestCluster({ uiPort, codecEndpoint: `http://localhost:${apiPort}/codec` });
    stack = await startStack({
      temporalAddress: cluster.address,
      apiPort,
      temporalUiUrl: uiUrl,
      replicas: 1,
    });
    await mapTestSetup(stack);
    const member = berlinDeskMember(memberId, 'Cora', 'Codec');
    assert.equal((await stack.sendEvent(memberCreated(member))).status, 202);
    await waitForSaltoGroups(stack, BERLIN.siteId, email, GROUPS.deskBerlin);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    await cluster?.stop();
  });

  /** Every codec answer the page gets while it loads the person's workflow. */
  async function loadHistory(): Promise<{ status: number; opened: string }[]> {
    const answers: Promise<{ status: number; opened: string }>[] = [];
    const onResponse = (r: Response): void => {
      if (!r.url().endsWith('/codec/decode') || r.request().method() !== 'POST') return;
      answers.push(
        (async () => {
          const body =
            r.status() === 200 ? ((await r.json()) as { payloads: JsonPayload[] }) : { payloads: [] };
          const opened = body.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
          return { status: r.status(), opened };
        })(),
      );
    };
    page.on('response', onResponse);
    try {
      await page.goto(`${uiUrl}/namespaces/${stack.namespace}/workflows/${personWorkflowId(memberId)}`);
      await page.getByText(personWorkflowId(memberId)).first().waitFor();
      // The event history as JSON: the events' payloads, as the codec gave them.
      await page.getByText('JSON', { exact: true }).first().click();
      // It shows one event at a time: the second is the signal that carried the member's snapshot.
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      await page.getByText('WorkflowExecutionSignaled').first().waitFor();
      // The page polls a running workflow, so the network never idles: wait until the codec
      // calls settle (one at least, then none for 2 s).
      let seen = -1;
      while (answers.length === 0 || answers.length !== seen) {
        seen = answers.length;
        await page.waitForTimeout(2_000);
      }
    } finally {
      page.off('response', onResponse);
    }
    return Promise.all(answers);
  }

  void it('without the admin sign-in, the history shows no e-mail: the codec refuses to decrypt', async () => {
    const answers = await loadHistory();
    assert.ok(answers.length > 0, 'the Web UI called the codec server');
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [401]);
    await screenshot(page, 'web-ui-without-codec');
    assert.ok(!(await page.content()).includes(email), 'the e-mail is on the page');
  });

  void it('signed in on the set-up page, the admin sees the e-mail in the same Web UI', async () => {
    const signIn = await context.request.post(`${stack.apiUrl}/session`, { data: { token: ADMIN_TOKEN } });
    assert.equal(signIn.status(), 200);
    const answers = await loadHistory();
    assert.ok(
      answers.length > 0 && answers.every((a) => a.status === 200),
      JSON.stringify(answers.map((a) => a.status)),
    );
    assert.ok(
      answers.some((a) => a.opened.includes(email)),
      'the codec gave the browser the decrypted e-mail',
    );
    await screenshot(page, 'web-ui-with-codec');
    await page.getByText(email).first().waitFor({ timeout: 15_000 });
    // Its summary, decrypted by the same codec: ids only (issue 13 §3).
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    // The Web UI renders the summary (markdown) inside a frame of its own.
    const summary = `Person ${memberId}: keeps its SALTO KS access`;
    await stack.eventually(
      async () => {
        for (const frame of page.frames()) {
          if ((await frame.content().catch(() => '')).includes(summary)) return true;
        }
        return undefined;
      },
      15_000,
      'the summary in the Web UI',
    );
    await screenshot(page, '13-web-ui-person');
  });
});
