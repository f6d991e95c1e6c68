// What the bench's floor workflows (floor-workflows.ts) and the code that starts them share.
import { defineSignal } from '@temporalio/workflow';
import type { Sinks } from '@temporalio/workflow';

/** The signal each floor workflow is started with (signalWithStart, as a person is). */
export const floorSignal = defineSignal<[unknown]>('floor');

export interface FloorSinks extends Sinks {
  floor: { done(): void };
}

export interface FloorActivities {
  /** Does nothing: what is measured is the round trip, not the work. */
  floorNothing(): Promise<void>;
}

/** The floor workflows, by the least work of their kind each does after its signal. */
export const FLOOR_WORKFLOWS = {
  'one workflow task': 'floorOneTask',
  'one activity task': 'floorOneActivity',
  'one local activity': 'floorOneLocalActivity',
} as const;
