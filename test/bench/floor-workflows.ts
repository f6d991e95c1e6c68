// The workflows of the bench's "floor" section: the least a workflow per new member can cost on a
// given Temporal server. Each waits for the signal its signalWithStart carries, does the least
// work of its kind, and reports through a sink (no server round trip) that it is done.
import {
  condition,
  proxyActivities,
  proxyLocalActivities,
  proxySinks,
  setHandler,
} from '@temporalio/workflow';
import { floorSignal, type FloorActivities, type FloorSinks } from './floor-shared';

const { floor } = proxySinks<FloorSinks>();
const { floorNothing } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

async function signalled(): Promise<void> {
  let got = false;
  setHandler(floorSignal, () => void (got = true));
  await condition(() => got);
}

/** One workflow task: the signal, and done. */
export async function floorOneTask(): Promise<void> {
  await signalled();
  floor.done();
}

/** The signal, one activity task, and done: two workflow tasks, as a person's pass with one call. */
export async function floorOneActivity(): Promise<void> {
  await signalled();
  await floorNothing();
  floor.done();
}

/** The signal and one local activity in the same workflow task, and done. */
export async function floorOneLocalActivity(): Promise<void> {
  await signalled();
  await local.floorNothing();
  floor.done();
}
