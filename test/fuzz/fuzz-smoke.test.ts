// The short fuzz run of `npm test` (issue 12): 5,000 hostile webhook requests and 500 admin ones,
// every check of `npm run fuzz` (test/fuzz/fuzz-run.ts). A fixed seed, so a failure here replays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport, runFuzz } from './fuzz-run';

void describe('the fuzzer, short run', { timeout: 600_000 }, () => {
  void it('finds no answer outside the contract, no 5xx, nothing started by a refused body', async () => {
    const report = await runFuzz({ webhookRequests: 5000, adminRequests: 500, seed: 20261201 });
    assert.ok(report.clean, formatReport(report));
    // The run reached every answer it is meant to provoke, so the checks above saw each kind.
    for (const status of ['202', '400', '401', '413', '415'])
      assert.ok((report.webhook.byStatus[status] ?? 0) > 0, `no webhook answer ${status}`);
    for (const status of ['200', '400', '401', '403', '404'])
      assert.ok((report.admin.byStatus[status] ?? 0) > 0, `no admin answer ${status}`);
    assert.ok(report.webhook.accepted > 0 && report.webhook.setupSignals.expected > 0);
  });
});
