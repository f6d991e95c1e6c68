// The running activity's cancellation signal (worker shutdown past its grace time, a timed-out
// heartbeat), so a SALTO KS call in flight is aborted instead of holding the worker; outside an
// activity (the API process) there is none.
import { Context } from '@temporalio/activity';

export function currentActivityCancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // not inside an activity
  }
}
