// The smallest workflow with the person's shape: wait for signals, take them all, call one
// activity, note the count, again. `local` calls it as a local activity, `task` as an activity
// task. Only for the probe beside it (local-activity-replay-probe.ts).
import {
  condition,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
} from '@temporalio/workflow';

export interface ProbeActivities {
  read(count: number): Promise<number>;
}

export const probeSignal = defineSignal<[number]>('probe');

const local = proxyLocalActivities<ProbeActivities>({ startToCloseTimeout: '10 seconds' });
const task = proxyActivities<ProbeActivities>({ startToCloseTimeout: '10 seconds' });

export async function signalLoop(kind: 'local' | 'task', total: number): Promise<number> {
  const calls = kind === 'local' ? local : task;
  const pending: number[] = [];
  setHandler(probeSignal, (n) => void pending.push(n));
  let taken = 0;
  while (taken < total) {
    await condition(() => pending.length > 0);
    taken += pending.splice(0).length;
    await calls.read(taken);
    upsertMemo({ taken });
  }
  return taken;
}
