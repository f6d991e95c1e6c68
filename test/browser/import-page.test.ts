// Importing from the set-up page in a real browser against the whole product: the operator picks
// a file, watches the progress bar reach "Done", reads the rows the import refused, and importing
// the same file again changes nothing in SALTO KS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from './helpers/browser-test';
import type { Browser, Page } from 'playwright-core';
import { billing, memberSnapshot } from '../../src/demo/event-builders';
import {
  BERLIN,
  clearSaltoRequests,
  emailOf,
  GROUPS,
  localDay,
  mapTestSetup,
  PRODUCT_DESK,
  saltoRequests,
  uniqueId,
  waitForSaltoGroups,
  writesAmong,
} from '../e2e/e2e-support';
import { ADMIN_TOKEN, startStack, type Stack } from '../helpers/stack';
import { collectPageErrors, launchChromium, screenshot } from './helpers/browser';

void describe('importing from the set-up page', { timeout: 240_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const tag = uniqueId('pg');
  const members = Array.from({ length: 12 }, (_, i) =>
    memberSnapshot({
      id: `${tag}-m${i}`,
      centerId: BERLIN.centerId,
      firstName: `Page${i}`,
      lastName: 'Import',
      email: emailOf(`${tag}-m${i}`),
      recurringBillings: [
        billing({
          id: `b-${tag}-${i}`,
          productId: PRODUCT_DESK,
          centerId: BERLIN.centerId,
          startDate: localDay(BERLIN.timeZone, -7),
        }),
      ],
    }),
  );
  const lines = [
    ...members.map((data) => JSON.stringify({ kind: 'member', data })),
    JSON.stringify({ kind: 'member', data: { ...members[0], id: `${tag}-bad`, status: 'paused' } }),
    'not json at all',
  ];
  const file = {
    name: 'members.ndjson',
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(lines.join('\n')),
  };

  before(async () => {
    // Slow enough (about 5 s for the file) that the page shows the import under way on any machine.
    stack = await startStack({ importRowsPerSecond: 3 });
    await mapTestSetup(stack);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
    await page.goto(stack.apiUrl);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByLabel('Admin token').press('Enter');
    await page.locator('#import-form').waitFor();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  void it('uploads a file, shows progress to the end, and lists the rows it refused', async () => {
    await page.getByLabel('File (.ndjson, .jsonl or .json)').setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    // While it runs, the bar stands between 0 and the row count.
    await page.locator('#import-status', { hasText: /^Importing: / }).waitFor();
    assert.equal(await page.locator('#import-bar').getAttribute('max'), '14');
    await page
      .locator('#import-status', { hasText: /^Done: 14 of 14 rows, 12 imported \(12 member\), 2 refused\.$/ })
      .waitFor();
    assert.equal(await page.locator('#import-bar').getAttribute('value'), '14');
    const issues = await page.locator('#import-issues li').allInnerTexts();
    assert.equal(issues.length, 2);
    assert.match(issues[0]!, /^Row 13, data\.status: /);
    assert.equal(issues[1], 'Row 14, (row): not valid JSON');
    await screenshot(page.locator('#import'), '10-import');
    for (const m of members)
      await waitForSaltoGroups(stack, BERLIN.siteId, m.email, GROUPS.deskBerlin, 60_000);
    assert.deepEqual(pageErrors, []);
  });

  void it('changes nothing in SALTO KS when the same file is imported again', async () => {
    await clearSaltoRequests(stack);
    await page.getByLabel('File (.ndjson, .jsonl or .json)').setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('#import-status', { hasText: /^Done: 14 of 14 rows, 12 imported/ }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // The page itself keeps reading sites and groups (its live refresh); the engine sent nothing.
    const requests = await saltoRequests(stack);
    assert.deepEqual(writesAmong(requests), []);
    assert.deepEqual(
      requests.filter((r) => r.path.includes('/users')),
      [],
    );
  });

  void it('says which files it takes', async () => {
    await page.getByLabel('File (.ndjson, .jsonl or .json)').setInputFiles({
      name: 'members.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('id,email\n'),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('#import-error', { hasText: 'The file must be .ndjson, .jsonl or .json' }).waitFor();
  });
});
