// A pass that writes to SALTO KS can take tens of seconds when SALTO KS is slow or failing (an
// activity retried through 5xx and timeouts). A door that must close meanwhile (an event that
// takes a group away, or a reservation window that ends) must not wait for it: the pass is
// cancelled, and the next one starts with revocations. Grants never preempt a pass: under a
// stream of events for one person, a pass always finishes unless a door must close.
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';

/** Watching for an instant-driven revocation costs a timer: only when the instant is this near. */
export const PREEMPTION_HORIZON_MS = 10 * 60_000;

export interface PreemptionWatch {
  /** Whether a group the pass may be writing is no longer wanted at the workflow's current time. */
  revocationDue(): boolean;
  /** The next instant at which `revocationDue` may change without an event (epoch ms), if any. */
  nextCheckAt(): number | null;
}

export interface PassOutcome {
  problems: string[];
  /** Cancelled because a revocation fell due: run the next pass at once. */
  preempted: boolean;
}

export async function runPreemptiblePass(
  pass: () => Promise<string[]>,
  watch: PreemptionWatch,
): Promise<PassOutcome> {
  const passScope = new CancellationScope();
  const watchScope = new CancellationScope();
  let preempted = false;
  const passDone = passScope.run(pass);
  const watching = watchScope
    .run(async () => {
      await untilRevocationDue(watch);
      preempted = true;
      passScope.cancel();
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  try {
    const problems = await passDone;
    return { problems, preempted };
  } catch (err) {
    // A step outside every site's own error handling was cancelled: the pass is over all the same.
    if (preempted && isCancellation(err)) return { problems: [], preempted };
    throw err;
  } finally {
    watchScope.cancel();
    await watching;
  }
}

async function untilRevocationDue(watch: PreemptionWatch): Promise<void> {
  for (;;) {
    if (watch.revocationDue()) return;
    const at = watch.nextCheckAt();
    const wait = at === null ? null : Math.max(1, at - Date.now());
    if (wait === null || wait > PREEMPTION_HORIZON_MS) await condition(() => watch.revocationDue());
    else await condition(() => watch.revocationDue(), wait);
  }
}
