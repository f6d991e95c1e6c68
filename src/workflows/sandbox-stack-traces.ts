// Preloaded into the worker's reusable workflow sandbox (bundlerOptions.preloadModules), so it
// runs once, before the SDK freezes the sandbox's globals.
//
// Why: the Temporal SDK captures a stack trace, and maps it through the bundle's source map, for
// every promise workflow code creates; that is what its `__stack_trace` query answers. In a chaos
// run's profile it was 46 % of the workflow thread's busy time (sdk-typescript #1587; no SDK
// option turns it off). With the sandbox's limit at 0 the capture is empty and cheap.
//
// What it costs: the stack of an error thrown inside a workflow comes back without frames; the
// error's type and message still reach the history and the logs. On the product's workflow
// threads the SDK's promise hook is out too (src/runtime/sandbox-thread.ts), so the query is
// refused; with WORKER_DEADLOCK_DETECTION=sdk it answers without frames.
Error.stackTraceLimit = 0;

export {};
