// A measurement probe for docs/benchmarks.md, never loaded by the product. Preload it into a bench
// run (NODE_OPTIONS="--import ./test/bench/sandbox-probe.mjs"; Node preloads it into the workflow
// threads too):
// - it counts the worker's entries into the workflow sandbox, by the SDK function entered, and
//   every 5 s appends the counts of each thread to SANDBOX_PROBE_OUT (default
//   sandbox-probe.log) as `<pid> t<thread> <JSON>`: the last line of a thread is its total;
// - with SANDBOX_PROBE_NO_TIMEOUT=1 it enters without the SDK's 5 s deadlock timeout. Node starts
//   and joins a watchdog thread for every vm call given a timeout; this shows what that costs. The
//   product drops the timeout itself now (src/runtime/sandbox-watchdog.ts, with a deadlock
//   detection of its own); this option is for runs with WORKER_DEADLOCK_DETECTION=sdk.
import { appendFileSync } from 'node:fs';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

const out = process.env.SANDBOX_PROBE_OUT || 'sandbox-probe.log';
const dropTimeout = process.env.SANDBOX_PROBE_NO_TIMEOUT === '1';
const counts = {};

function withoutTimeout(options) {
  if (!dropTimeout || !options || options.timeout === undefined) return options;
  const { timeout: _dropped, ...rest } = options;
  return rest;
}

const runScript = vm.Script.prototype.runInContext;
vm.Script.prototype.runInContext = function probedRunInContext(context, options) {
  // The SDK enters through one script and leaves the function's name in __temporal_args.
  const args = context && context.__temporal_args;
  const entered = Array.isArray(args) ? String(args[1]) : 'other';
  counts[entered] = (counts[entered] || 0) + 1;
  return runScript.call(this, context, withoutTimeout(options));
};
const runCode = vm.runInContext;
vm.runInContext = function probedRunInContextCode(code, context, options) {
  counts.other = (counts.other || 0) + 1;
  return runCode.call(this, code, context, withoutTimeout(options));
};

setInterval(() => {
  if (Object.keys(counts).length > 0)
    appendFileSync(out, `${process.pid} t${threadId} ${JSON.stringify(counts)}\n`);
}, 5000).unref();
