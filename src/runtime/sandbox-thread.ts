// The entry file of a workflow thread started under the sandbox watchdog (sandbox-watchdog.ts):
// it makes the SDK's entries into the workflow sandbox cheap, keeps the SDK's promise hook out,
// then runs the SDK's own thread file.
//
// The SDK enters the sandbox (about 11 times for a new member) with a 5 s timeout, its deadlock
// detection, and Node starts and joins a watchdog thread for every vm call given a timeout: more
// than half the workflow thread's time on this machine (docs/benchmarks.md). Here those entries
// run without the timeout and record, in memory shared with the main thread, when they began and
// for which workflow, so that one watchdog there does the deadlock detection for every entry.
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import {
  isSandboxThreadState,
  markEntered,
  markLeft,
  recordWorkflow,
  type SandboxThreadState,
  type SandboxWorkflow,
} from './sandbox-thread-state';

export interface SandboxThreadData {
  sdkThreadFile: string;
  state: SandboxThreadState;
}

function threadData(data: unknown): SandboxThreadData {
  const { sdkThreadFile, state } = (data ?? {}) as Partial<SandboxThreadData>;
  if (typeof sdkThreadFile !== 'string' || !isSandboxThreadState(state))
    throw new TypeError(
      `${__filename} must be started by sandbox-watchdog.ts, with the SDK's thread file and a state`,
    );
  return { sdkThreadFile, state };
}

const { sdkThreadFile, state } = threadData(workerData);

// The SDK's requests to this thread name their workflow's run; the vm calls a request makes run
// while it is handled, before the next request. This listener is added before the SDK's.
interface SdkRequest {
  input?: { type?: string; runId?: string; options?: { info?: Partial<SandboxWorkflow> } };
}
const workflowsByRun = new Map<string, SandboxWorkflow>();
parentPort?.on('message', (message: SdkRequest) => {
  const input = message?.input;
  const info = input?.options?.info;
  if (input?.type === 'create-workflow' && info?.runId) {
    const workflow = {
      workflowType: String(info.workflowType),
      workflowId: String(info.workflowId),
      runId: info.runId,
    };
    workflowsByRun.set(info.runId, workflow);
    recordWorkflow(state, workflow);
    return;
  }
  const workflow = input?.runId === undefined ? undefined : workflowsByRun.get(input.runId);
  if (workflow) recordWorkflow(state, workflow);
  if (input?.type === 'dispose-workflow' && input.runId) workflowsByRun.delete(input.runId);
});

// Node's vm.runInContext goes through Script.prototype.runInContext too: one patch covers both.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its script as `this`
const runScript = vm.Script.prototype.runInContext;
vm.Script.prototype.runInContext = function runWatched(
  this: vm.Script,
  context: vm.Context,
  options?: vm.RunningScriptOptions,
): unknown {
  // Only the SDK's entries carry a timeout; anything else runs as it is.
  if (options?.timeout === undefined) return runScript.call(this, context, options) as unknown;
  const { timeout: _deadlockTimeout, ...rest } = options;
  markEntered(state);
  try {
    return runScript.call(this, context, rest) as unknown;
  } finally {
    markLeft(state);
  }
};

// The SDK's promise hook runs for every promise workflow code creates and settles: it finds the
// promise's workflow by compiling a function each time, and keeps a stack per promise for the
// stack-trace query. The sandbox takes no stacks (sandbox-stack-traces.ts), so it kept empty ones,
// for 2.4 s of this thread's 15 s in a chaos run. Without it, the query is refused ("stack traces
// are not enabled"). Set before the SDK's thread file installs its hooks, on the module that file
// loads: the watchdog starts this thread for the SDK's file of the same package. Under an SDK
// whose insides differ, the hook stays, as the SDK has it: sandbox-stack-traces.test.ts fails.
interface SdkGlobalHandlers {
  setPromiseHook: () => void;
}
function keepPromiseHookOut(): void {
  let handlers: Partial<SdkGlobalHandlers> | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's own module, no public entry
    const shared = require('@temporalio/worker/lib/workflow/vm-shared') as { globalHandlers?: unknown };
    handlers = shared.globalHandlers as Partial<SdkGlobalHandlers> | undefined;
  } catch {
    return;
  }
  if (typeof handlers?.setPromiseHook === 'function') handlers.setPromiseHook = () => undefined;
}
keepPromiseHookOut();

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's thread file, found at run time
require(sdkThreadFile);
