// A test that waits on a gRPC call which never answers shows nothing but its own timeout. This
// interceptor keeps the calls a test client has open and, while one has been open longer than
// OPEN_CALL_REPORT_MS, names it on stderr (its method and how long), so that a hung test file
// leaves evidence of the call it waits on.
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

/** Real time after which an open call is reported (checked every half of it, so by 1.5 × at most). */
export const OPEN_CALL_REPORT_MS = 60_000;

interface OpenCall {
  method: string;
  startedAt: number;
}

const open = new Set<OpenCall>();
let watch: NodeJS.Timeout | undefined;

function report(): void {
  const now = Date.now();
  for (const call of open) {
    if (now - call.startedAt < OPEN_CALL_REPORT_MS) continue;
    process.stderr.write(
      `[grpc] ${call.method} has been open ${Math.round((now - call.startedAt) / 1000)} s\n`,
    );
  }
}

export const openCallsWatch: Interceptor = (options, nextCall) => {
  const method = options.method_definition.path.split('/').pop() ?? options.method_definition.path;
  const call: OpenCall = { method, startedAt: Date.now() };
  const done = (): void => {
    open.delete(call);
    if (open.size === 0 && watch) {
      clearInterval(watch);
      watch = undefined;
    }
  };
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      open.add(call);
      // Unref'd: a call left open must not keep the test process alive by itself.
      watch ??= setInterval(report, OPEN_CALL_REPORT_MS / 2).unref();
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          done();
          nextStatus(status);
        },
      });
    },
  });
};
