// What one workflow thread is doing in the workflow sandbox, in memory that the thread and its
// process's main thread share: since when it has been inside, and for which workflow. The thread
// writes it (sandbox-thread.ts); the main thread's watchdog reads it (sandbox-watchdog.ts).

export interface SandboxThreadState {
  /** [0]: entries in progress (nested ones count too); [1]: when the outer one began, in ns. */
  clock: BigInt64Array;
  /** The workflow of the thread's latest request, as UTF-8 JSON, zero-padded. */
  workflow: Uint8Array;
}

/** Which workflow a thread works for: ids only, never payloads. */
export interface SandboxWorkflow {
  workflowType: string;
  workflowId: string;
  runId: string;
}

const DEPTH = 0;
const ENTERED_AT_NS = 1;
const WORKFLOW_BYTES = 1024;

export function newSandboxThreadState(): SandboxThreadState {
  return {
    clock: new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT)),
    workflow: new Uint8Array(new SharedArrayBuffer(WORKFLOW_BYTES)),
  };
}

export function isSandboxThreadState(value: unknown): value is SandboxThreadState {
  const { clock, workflow } = (value ?? {}) as Partial<SandboxThreadState>;
  return (
    clock instanceof BigInt64Array &&
    clock.buffer instanceof SharedArrayBuffer &&
    workflow instanceof Uint8Array &&
    workflow.buffer instanceof SharedArrayBuffer
  );
}

/** A monotonic clock common to every thread of the process (a wall clock can jump). */
function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function markEntered({ clock }: SandboxThreadState): void {
  // The time is written before the depth, so a reader that sees the depth also sees this entry's
  // time, never an older entry's.
  if (Atomics.load(clock, DEPTH) === 0n) Atomics.store(clock, ENTERED_AT_NS, nowNs());
  Atomics.add(clock, DEPTH, 1n);
}

export function markLeft({ clock }: SandboxThreadState): void {
  Atomics.sub(clock, DEPTH, 1n);
}

/** How long the thread has been inside, in ms; 0 when it is outside. */
export function insideForMs({ clock }: SandboxThreadState): number {
  if (Atomics.load(clock, DEPTH) <= 0n) return 0;
  return Number(nowNs() - Atomics.load(clock, ENTERED_AT_NS)) / 1e6;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function recordWorkflow({ workflow }: SandboxThreadState, current: SandboxWorkflow): void {
  // Read only once the thread is stuck, when it writes no more: no lock needed.
  const { written = 0 } = encoder.encodeInto(JSON.stringify(current), workflow);
  workflow.fill(0, written);
}

/** The workflow of the thread's latest request, or null if none was recorded (or it did not fit). */
export function recordedWorkflow({ workflow }: SandboxThreadState): SandboxWorkflow | null {
  const end = workflow.indexOf(0);
  try {
    return JSON.parse(
      decoder.decode(workflow.slice(0, end === -1 ? workflow.length : end)),
    ) as SandboxWorkflow;
  } catch {
    return null;
  }
}
