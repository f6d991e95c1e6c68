// Continue-as-new under a stream of signals: 600 events for one person (more than the 500 a run
// takes), and nothing is lost, the access history included. Since 0.6.0 a run also ends once its
// history is long (SHORT_HISTORIES_PATCH), long before 500 events. On the dev server with the product's
// own bundle: a status flip that takes the plan's groups away while a pass gives them cancels that
// pass (pass-preemption.ts), which the time-skipping server mishandles (time-skipping-interceptor.ts),
// and this run's history is the one the replay test keeps for every release.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HISTORY_ENTRIES_KEPT } from '../../src/core/access-history';
import type { PersonEvent } from '../../src/core/person-events';
import { HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW, SHORT_HISTORIES_PATCH } from '../../src/workflows/person';
import { personWorkflowId } from '../../src/shared/ids';
import { personHistoryQuery } from '../../src/workflows/messages';
import { BERLIN_SITE, type Engine, FLEX, startBerlinFlexEngine } from '../helpers/engine';
import { recordHistoriesIfAsked } from '../helpers/recorded-histories';
import { marksPatch, runHistories } from '../helpers/history-events';
import { billing, billingEvent, iso, memberSnapshot, MINUTE, statusEvent } from '../helpers/events';

describe('continue-as-new', { timeout: 180_000 }, () => {
  let e: Engine;
  before(async () => {
    e = await startBerlinFlexEngine({ server: 'dev' });
  });
  after(async () => {
    try {
      if (e) await recordHistoriesIfAsked(e.client, ['person-stream']);
    } finally {
      await e?.stop();
    }
  });

  /** Starts a member with no plan, as of `updatedAt`; answers the first run's id. */
  const startMember = async (personId: string, updatedAt: string): Promise<string> => {
    const handle = await e.client.workflow.signalWithStart('personWorkflow', {
      workflowId: personWorkflowId(personId),
      taskQueue: e.taskQueue,
      args: [{ personId }],
      signal: 'personEvent',
      signalArgs: [memberSnapshot(personId, { updatedAt, billings: [] })],
    });
    return handle.signaledRunId;
  };

  /**
   * Event `i` of a stream that starts `start` ms ago, one a minute: a status flip (even: active),
   * except event `billingAt`, which gives the person the flex plan.
   */
  const streamEvent = (start: number, i: number, billingAt: number): PersonEvent => {
    const at = iso(start + i * MINUTE);
    return i === billingAt
      ? billingEvent(billing({ id: `b-${billingAt}`, productId: 'flex', centerId: 'berlin' }), at)
      : statusEvent(i % 2 === 0 ? 'active' : 'inactive', at);
  };

  it('continues as new under a stream of signals and loses nothing', async () => {
    const now = await e.now();
    const firstRunId = await startMember('stream', iso(now - 1000 * MINUTE));
    // 600 status flips (more than the 500 events a run takes), with a billing in the middle.
    for (let i = 1; i <= 600; i++) await e.tellPerson('stream', streamEvent(now - 1000 * MINUTE, i, 300));
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

  it('ends each run once its history is long, well before 500 events, and loses nothing', async () => {
    const now = await e.now();
    const firstRunId = await startMember('short', iso(now - 100 * MINUTE));
    // 60 events, one at a time so that each is its own pass: far fewer than the 500 a run takes,
    // and far more history than one short run holds.
    for (let i = 1; i <= 60; i++) {
      await e.tellPerson('short', streamEvent(now - 100 * MINUTE, i, 20));
      await e.settled('person-short');
    }
    const user = await e.saltoUser(BERLIN_SITE, 'short@example.com');
    assert.deepEqual(user?.groups, FLEX, 'event 60 (active) and the billing of event 20 both survived');
    const view = await e.access('short');
    assert.equal(view.status, 'active');
    assert.equal(view.inSync, true);

    // Walk the chain of runs from the first: every run but the last ended by continuing as new,
    // once its history had reached the threshold, and not much later; its patch marker says why.
    const runs: { length: number; patched: boolean }[] = [];
    for await (const history of runHistories(e.client, 'person-short', firstRunId)) {
      const events = history.events ?? [];
      runs.push({ length: events.length, patched: marksPatch(events, SHORT_HISTORIES_PATCH) });
    }
    assert.ok(runs.length >= 3, `60 events make several short runs, not ${runs.length}`);
    for (const [i, run] of runs.slice(0, -1).entries()) {
      assert.ok(
        run.length >= HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW &&
          run.length <= HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW + 40,
        `run ${i} ended with ${run.length} history events`,
      );
      assert.ok(run.patched, `run ${i} records the ${SHORT_HISTORIES_PATCH} marker`);
    }
    const current = (await e.client.workflow.getHandle('person-short').describe()).historyLength;
    assert.ok(
      current < HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW + 40,
      `the running run holds ${current} events`,
    );
    // The access history came along across the runs: it holds changes made before this run began.
    const handle = e.client.workflow.getHandle('person-short');
    const runStarted = (await handle.describe()).startTime.getTime();
    const history = await handle.query(personHistoryQuery);
    assert.ok(
      history.some((h) => h.kind === 'change' && Date.parse(h.at) < runStarted),
      'a change from an earlier run is still in the access history',
    );
  });
});
