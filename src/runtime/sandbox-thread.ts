// The entry file of a workflow thread started under the sandbox watchdog (sandbox-watchdog.ts):
// it makes the SDK's entries into the workflow sandbox cheap, then runs the SDK's own thread file.
//
// The SDK enters the sandbox (about 11 times for a new member) with a 5 s timeout, its deadlock
// detection, and Node starts and joins a watchdog thread for every vm call given a timeout: more
// than half the workflow thread's time on this machine (docs/benchmarks.md). Here those entries
// run without the timeout, and record on a clock shared with the main thread when they began, so
// that one watchdog there does the deadlock detection for every entry.
import vm from 'node:vm';
import { workerData } from 'node:worker_threads';
import { isSandboxEntryClock, markEntered, markLeft, type SandboxEntryClock } from './sandbox-entry-clock';

export interface SandboxThreadData {
  sdkThreadFile: string;
  clock: SandboxEntryClock;
}

function threadData(data: unknown): SandboxThreadData {
  const { sdkThreadFile, clock } = (data ?? {}) as Partial<SandboxThreadData>;
  if (typeof sdkThreadFile !== 'string' || !isSandboxEntryClock(clock))
    throw new TypeError(
      `${__filename} must be started by sandbox-watchdog.ts, with the SDK's thread file and a clock`,
    );
  return { sdkThreadFile, clock };
}

type RunOptions = vm.RunningScriptOptions | string | undefined;

/** The options without their timeout, or null when they had none (not an entry of the SDK's). */
function withoutTimeout(options: RunOptions): RunOptions | null {
  if (typeof options !== 'object' || options.timeout === undefined) return null;
  const { timeout: _deadlockTimeout, ...rest } = options;
  return rest;
}

function timed<T>(clock: SandboxEntryClock, run: () => T): T {
  markEntered(clock);
  try {
    return run();
  } finally {
    markLeft(clock);
  }
}

const { sdkThreadFile, clock } = threadData(workerData);

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its script as `this`
const runScript = vm.Script.prototype.runInContext;
vm.Script.prototype.runInContext = function runWatched(
  this: vm.Script,
  context: vm.Context,
  options?: vm.RunningScriptOptions,
): unknown {
  const rest = withoutTimeout(options);
  if (rest === null) return runScript.call(this, context, options) as unknown;
  return timed(clock, () => runScript.call(this, context, rest as vm.RunningScriptOptions) as unknown);
};

const runCode = vm.runInContext;
vm.runInContext = function runCodeWatched(code: string, context: vm.Context, options?: RunOptions): unknown {
  const rest = withoutTimeout(options);
  if (rest === null) return runCode(code, context, options) as unknown;
  return timed(clock, () => runCode(code, context, rest) as unknown);
};

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's thread file, found at run time
require(sdkThreadFile);
