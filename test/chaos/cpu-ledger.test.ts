// The chaos run's CPU figures: a process's time still counts after it is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CpuLedger } from './cpu-ledger';

describe('the chaos run’s CPU ledger', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  it('keeps a killed process’s CPU seconds under its part of the run', async () => {
    const ledger = new CpuLedger();
    ledger.start();
    // Busy for ever, named like the product's worker entry point.
    const child = spawn(process.execPath, ['-e', 'for (;;) {}', '--', 'dist/src/worker-main.js'], {
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 2_500));
    ledger.sample(); // as the run does just before a kill
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    ledger.stop();
    const { byRole, processes } = ledger.totals();
    assert.equal(processes.workers, 1);
    assert.ok((byRole.workers ?? 0) >= 1, `worker CPU ${byRole.workers} s after 2.5 s of a busy loop`);
    assert.ok((byRole.workers ?? 0) <= 3, `worker CPU ${byRole.workers} s: at most its lifetime`);
    assert.equal(processes.API, undefined);
  });
});
