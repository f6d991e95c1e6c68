// Who a reconciliation wakes (rule E): a person whose SALTO KS user shows other groups than it
// last wrote, one out of sync, one visibility does not list or cannot tell about; never a person
// in step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsObservation } from '../../src/core/reconcile-news';

const inStep = { groups: ['entrance', 'floor'], inSync: true };

describe('reconciliation news', () => {
  it('leaves a person in step asleep, whatever the order or repeats of the groups shown', () => {
    assert.equal(needsObservation('s1', inStep, ['floor', 'entrance']), false);
    assert.equal(needsObservation('s1', inStep, ['floor', 'entrance', 'floor']), false);
    assert.equal(needsObservation('s1', { groups: [], inSync: true }, []), false);
  });

  it('tells a person whose user lost a group, gained one, or has another set by hand', () => {
    assert.equal(needsObservation('s1', inStep, ['floor']), true);
    assert.equal(needsObservation('s1', inStep, ['entrance', 'floor', 'office']), true);
    assert.equal(needsObservation('s1', inStep, []), true);
    assert.equal(needsObservation('s1', { groups: [], inSync: true }, ['office']), true);
  });

  it('tells a person out of sync even in step: the news wakes its retry', () => {
    assert.equal(needsObservation('s1', { ...inStep, inSync: false }, ['entrance', 'floor']), true);
  });

  it('tells a person visibility does not list, or lists without its groups or its sync state', () => {
    assert.equal(needsObservation('s1', undefined, ['entrance', 'floor']), true);
    assert.equal(needsObservation('s1', { groups: null, inSync: true }, ['entrance', 'floor']), true);
    assert.equal(needsObservation('s1', { ...inStep, inSync: null }, ['entrance', 'floor']), true);
  });
});
