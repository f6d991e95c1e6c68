// The chaos run's CPU figures: a process's time still counts after it is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { CpuLedger } from './cpu-ledger';

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15, in ticks of 10 ms). */
function cpuSecondsFromProc(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

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
    // Read apart from the ledger, at once: what the process had used when it was sampled (on a
    // busy machine a busy loop gets less than its wall time, so no fixed figure is expected).
    const used = cpuSecondsFromProc(child.pid!);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    ledger.stop();
    const { byRole, processes } = ledger.totals();
    assert.equal(processes.workers, 1);
    const kept = byRole.workers ?? 0;
    assert.ok(used >= 0.05, `the busy loop ran: ${used} s of CPU`);
    assert.ok(kept <= used + 0.011, `worker CPU ${kept} s: at most the ${used} s read after the sample`);
    assert.ok(kept >= used - 0.1, `worker CPU ${kept} s kept after the kill, of the ${used} s it had used`);
    assert.ok(kept <= 2.6, `worker CPU ${kept} s: at most its lifetime`);
    assert.equal(processes.API, undefined);
  });
});
