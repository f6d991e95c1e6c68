// Runs the activities the way a worker does: inside an activity context (MockActivityEnvironment).
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createSaltoActivities } from '../../../src/activities/salto-activities';
import type { SaltoActivities } from '../../../src/activities/types';
import type { SaltoClient } from '../../../src/salto/client';

type Input<K extends keyof SaltoActivities> = Parameters<SaltoActivities[K]>;

export interface ActivityRunner {
  activities: SaltoActivities;
  /** What the activity environment logged (Temporal logs each failed attempt), for the secrets test. */
  logLines: string[];
  run<K extends keyof SaltoActivities>(name: K, ...args: Input<K>): ReturnType<SaltoActivities[K]>;
  /** As `run`, with the attempt's info (e.g. when the activity was first scheduled). */
  runWith<K extends keyof SaltoActivities>(
    info: Partial<Info>,
    name: K,
    ...args: Input<K>
  ): ReturnType<SaltoActivities[K]>;
}

export function activityRunner(client: SaltoClient): ActivityRunner {
  const activities = createSaltoActivities(client);
  const logLines: string[] = [];
  const logger = new DefaultLogger('DEBUG', (entry) =>
    logLines.push(`${entry.message} ${stringify(entry.meta)}`),
  );
  const runWith = <K extends keyof SaltoActivities>(info: Partial<Info>, name: K, ...args: Input<K>) => {
    const fn = activities[name] as (...a: Input<K>) => ReturnType<SaltoActivities[K]>;
    const env = new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), ...info }, { logger });
    return env.run(fn, ...args) as ReturnType<SaltoActivities[K]>;
  };
  return {
    activities,
    logLines,
    runWith,
    run: (name, ...args) => runWith({}, name, ...args),
  };
}

/** JSON, with errors written out in full (message, stack, fields) rather than as {}. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack } : v,
  );
}
