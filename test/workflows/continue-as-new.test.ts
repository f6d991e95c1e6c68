// Continue-as-new under a stream of signals: 600 events for one person (more than the 500 a run
// takes), and nothing is lost, the access history included. On the dev server with the product's
// own bundle: a status flip that takes the plan's groups away while a pass gives them cancels that
// pass (pass-preemption.ts), which the time-skipping server mishandles (time-skipping-interceptor.ts),
// and this run's history is the one the replay test keeps for every release.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HISTORY_ENTRIES_KEPT } from '../../src/core/access-history';
import { personHistoryQuery } from '../../src/workflows/messages';
import { BERLIN_SITE, startEngine, type Engine, FLEX } from '../helpers/engine';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';
import { billing, billingEvent, iso, memberSnapshot, MINUTE, statusEvent } from '../helpers/events';

describe('continue-as-new', { timeout: 180_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startEngine({ server: 'dev' });
    await e.mapCenter('berlin', BERLIN_SITE, 'Europe/Berlin');
    await e.mapProduct('berlin', 'flex', FLEX);
  });
  after(async () => {
    try {
      if (e) await recordHistoriesIfAsked(e.client, ['person-stream']);
    } finally {
      await e?.stop();
    }
  });

  it('continues as new under a stream of signals and loses nothing', async () => {
    const now = await e.now();
    const first = await e.client.workflow.signalWithStart('personWorkflow', {
      workflowId: 'person-stream',
      taskQueue: e.taskQueue,
      args: [{ personId: 'stream' }],
      signal: 'personEvent',
      signalArgs: [memberSnapshot('stream', { updatedAt: iso(now - 1000 * MINUTE), billings: [] })],
    });
    const firstRunId = first.signaledRunId;
    // 600 status flips (more than the 500 events a run takes), with a billing in the middle.
    for (let i = 1; i <= 600; i++) {
      const at = iso(now - 1000 * MINUTE + i * MINUTE);
      await e.tellPerson(
        'stream',
        i === 300
          ? billingEvent(billing({ id: 'b-s', productId: 'flex', centerId: 'berlin' }), at)
          : statusEvent(i % 2 === 0 ? 'active' : 'inactive', at),
      );
    }
    await e.eventually(
      async () => {
        const d = await e.client.workflow.getHandle('person-stream').describe();
        return d.runId !== firstRunId;
      },
      'a new run',
      30_000,
    );
    const user = await e.eventually(
      async () => {
        const u = await e.saltoUser(BERLIN_SITE, 'stream@example.com');
        return u?.groups.length === 2 ? u : undefined;
      },
      'final state applied',
      60_000,
    );
    assert.deepEqual(user.groups, FLEX, 'event 600 (active) and the billing of event 300 both survived');
    await e.settled('person-stream');
    const view = await e.access('stream');
    assert.equal(view.status, 'active');
    assert.equal(view.inSync, true);
    // The access history came along: changes written by the first run, bounded.
    const handle = e.client.workflow.getHandle('person-stream');
    const runStarted = (await handle.describe()).startTime.getTime();
    const history = await handle.query(personHistoryQuery);
    assert.ok(history.length > 0 && history.length <= HISTORY_ENTRIES_KEPT, `${history.length} entries`);
    assert.ok(
      history.some((h) => h.kind === 'change' && Date.parse(h.at) < runStarted),
      'a change from before the continue-as-new is still in the history',
    );
    const lastChange = history.filter((h) => h.kind === 'change').at(-1);
    assert.equal(
      lastChange?.kind === 'change' && lastChange.action,
      'added',
      'the last change gave the plan back',
    );
  });
});
