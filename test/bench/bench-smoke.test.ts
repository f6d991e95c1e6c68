// `npm run bench -- --smoke`: the benchmarks still run and print every figure. Not a timed test:
// it checks that each figure is there and is a number, never how large it is.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Figure } from './bench-support';

const run = promisify(execFile);

describe('npm run bench -- --smoke', { timeout: 300_000 }, () => {
  it('prints, as JSON on stdout, a number for every figure of every section', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, 'bench-main.js'), '--smoke', '--json'], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 280_000,
    });
    const report = JSON.parse(stdout) as {
      temporal: string;
      cpus: number;
      smoke: boolean;
      figures: Figure[];
    };
    assert.equal(report.smoke, true);
    assert.ok(report.cpus >= 1);
    const names = report.figures.map((f) => `${f.section}: ${f.name}`);
    for (const expected of [
      'ingest: bare signalWithStart',
      'ingest: webhook accepted',
      'ingest: webhook / bare',
      'ingest: CPU per event, bare',
      'ingest: CPU per event, webhook',
      'ingest: API event loop per event',
      'drain: new members into SALTO KS per second',
      'drain: drain / bare signalWithStart',
      'drain: SALTO KS calls per new member / minimal',
      'floor: one workflow task: workflows done per second',
      'floor: one workflow task / bare signalWithStart',
      'floor: one activity task: workflows done per second',
      'floor: one activity task / bare signalWithStart',
      'floor: one local activity: workflows done per second',
      'floor: one local activity / bare signalWithStart',
      'floor: drain / floor (one activity task)',
      'latency: p50 at 5/s',
      'latency: p95 at 5/s',
      'latency: p99 at 5/s',
      'calls: a new member',
      'calls: a plan added',
      'calls: a plan ended',
      'calls: a deactivation',
      'calls: a reservation grant',
      'calls: a reservation revoke',
      'calls: a co-member following its master',
      'space of 40: import: wall time',
      'space of 40: import: SALTO KS calls / minimal',
      'space of 40: import: peak RSS (API + worker + simulator)',
      'space of 40: idle: RSS (API + worker + simulator) at 20 → 40 people',
      'space of 40: idle: CPU per minute, API + worker + simulator',
      'space of 40: database at 20 → 40 people',
      'space of 40: database per person imported',
      'space of 40: GET /api/people: p99',
      'space of 40: reconciliation of 40 people: until quiet',
      'space of 40: reconciliation: people told',
      'space of 40: reconciliation: CPU above idle, every part',
      'space of 40: set-up change reaching 20 members: time',
      'space of 40: set-up change: SALTO KS calls per member reached',
      'recovery: worker killed (kill -9) → its in-flight members hold their doors, p50',
      'recovery: worker killed → its activities done by the other worker, p50',
      "recovery: SALTO KS back after a 3 s outage (all 503) → a new member's doors",
    ]) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`);
    }
    // The knee may not be reached; the Temporal server's idle CPU over a smoke run's 3 s may be 0,
    // and so may a small reconciliation's CPU above an idle rate taken over those 3 s.
    for (const figure of report.figures.filter(
      (f) =>
        !f.name.startsWith('knee') &&
        !f.name.includes('Temporal server') &&
        !f.name.includes('above idle') &&
        !f.name.includes('people told'),
    )) {
      assert.equal(typeof figure.value, 'number', `${figure.section}: ${figure.name} has no value`);
      assert.ok(Number.isFinite(figure.value) && figure.value! > 0, `${figure.name}: ${figure.value}`);
    }
    // At rest every person is in step with SALTO KS: the reconciliation wakes none of them.
    const told = report.figures.find((f) => f.name === 'reconciliation: people told');
    assert.equal(told?.value, 0, `people told at rest: ${told?.value}`);
  });
});
