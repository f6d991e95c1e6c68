// Telling "Temporal could not be reached" (answer 503, the caller retries, nothing is lost)
// from everything else (a bug, or a request Temporal refused: answer 500, never a 503 that
// would have Deskworks retry a poison event forever as if Temporal were only down).
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, NamespaceNotFoundError } from '@temporalio/common';

/** The problems of a set-up change the set-up workflow rejected, or null for any other error. */
export function setupRejection(err: unknown): { field: string; message: string }[] | null {
  if (!(err instanceof WorkflowUpdateFailedError)) return null;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'SetupChangeRejected') {
    const details = cause.details?.[0];
    if (Array.isArray(details)) return details as { field: string; message: string }[];
    return [{ field: '', message: cause.message }];
  }
  return null;
}

/**
 * A set-up update that failed because SALTO KS could not be read (its groups or sites, after the
 * activity's retries): nothing changed. `retryable` tells a passing failure (5xx, 429, timeout)
 * from a refusal (SALTO KS said no), with SALTO KS's own words.
 */
export function setupSaltoFailure(err: unknown): { retryable: boolean; message: string } | null {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ActivityFailure)) return null;
  const cause = err.cause.cause;
  const message = cause?.message ?? err.cause.message;
  const refused = cause instanceof ApplicationFailure && cause.nonRetryable;
  return { retryable: !refused, message };
}

export function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError;
}

/**
 * The gRPC status codes this module tells apart. The numbers are fixed by the gRPC spec
 * (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), the same as @grpc/grpc-js's `status`.
 */
export const GRPC_STATUS = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const GRPC_STATUS_NAME = new Map<number, string>(
  Object.entries(GRPC_STATUS).map(([name, code]) => [code, name]),
);

/**
 * "Temporal unreachable, timed out or overloaded": the only gRPC answers that make a 503.
 * RESOURCE_EXHAUSTED is Temporal asking to be called later (a rate limit, a busy workflow or
 * shard, as after a restart with a backlog): the event is fine, only early. CANCELLED is a call
 * cut off on its way (the API cancels none of its own): a server going down or just restarted
 * closes its streams so (`npm run chaos` met it 10 s after the dev server came back).
 */
const UNREACHABLE_STATUSES: ReadonlySet<number> = new Set([
  GRPC_STATUS.CANCELLED,
  GRPC_STATUS.UNAVAILABLE,
  GRPC_STATUS.DEADLINE_EXCEEDED,
  GRPC_STATUS.RESOURCE_EXHAUSTED,
]);

/** Node's socket errors: the connection to Temporal could not be made or was lost. */
const CONNECTION_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** What @grpc/grpc-js's waitForReady rejects with (Connection.connect / ensureConnected). */
const GRPC_NOT_READY_MESSAGE = 'Failed to connect before the deadline';

/** The error and its causes, outermost first (bounded: a cause chain may loop). */
function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at: unknown = err; at !== undefined && at !== null && chain.length < 10;) {
    if (chain.includes(at)) break;
    chain.push(at);
    at = at instanceof Error ? at.cause : undefined;
  }
  return chain;
}

/**
 * True only when Temporal could not be reached, did not answer in time or asked to be called later:
 * a gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED or CANCELLED (the client wraps it in a
 * ServiceError, hence the walk down the causes), a connection error, or the namespace not found
 * (a server still starting answers that before it loads its namespaces; a wrong
 * TEMPORAL_NAMESPACE too, and the log says so: either way the event is not at fault). The first
 * gRPC status met decides: INVALID_ARGUMENT and every other answer of the server, and any error
 * that is not about the connection (a bug), are not "unreachable".
 */
export function isTemporalUnreachable(err: unknown): boolean {
  for (const at of causeChain(err)) {
    if (at instanceof NamespaceNotFoundError) return true;
    if (isGrpcServiceError(at)) return UNREACHABLE_STATUSES.has(at.code);
    if (!(at instanceof Error)) continue;
    const errno = (at as NodeJS.ErrnoException).code;
    if (typeof errno === 'string' && CONNECTION_ERRNOS.has(errno)) return true;
    if (at.message === GRPC_NOT_READY_MESSAGE) return true;
  }
  return false;
}

/** How Temporal words a refusal because the workflow is over a per-execution limit (signals, history). */
const OVER_LIMIT_MESSAGE = /exceeded workflow execution limit|history (size|count) exceeds limit/i;

/**
 * True when Temporal refused a signal because the owning workflow is over one of its limits: with
 * no worker to run it (and so to continue it as new), a workflow takes at most 10,000 signals. It
 * takes them again once a worker continues it as new, so the event is not bad, only early.
 */
export function isTemporalOverLimit(err: unknown): boolean {
  for (const at of causeChain(err)) {
    if (isGrpcServiceError(at))
      return (at.code as number) === GRPC_STATUS.INVALID_ARGUMENT && OVER_LIMIT_MESSAGE.test(at.message);
  }
  return false;
}

const EMAIL_LIKE = /[^\s@"'<>()[\],;:]+@[^\s@"'<>()[\],;:]+/g;
const MAX_DESCRIPTION_LENGTH = 1000;

/**
 * One line for the server log: each error of the chain with its name, gRPC status and message,
 * with the given personal strings (names, e-mails) and anything shaped like an e-mail replaced by
 * `[redacted]`. For the log only: never put it in an answer.
 */
export function describeErrorForLog(err: unknown, personal: readonly string[] = []): string {
  const parts = causeChain(err).map((at) => {
    if (!(at instanceof Error)) return `thrown ${typeof at}`;
    const status = isGrpcServiceError(at) ? ` [gRPC ${GRPC_STATUS_NAME.get(at.code) ?? at.code}]` : '';
    return `${at.name}${status}: ${at.message}`;
  });
  let line = parts.join(' <- caused by ');
  // Longest first, so a full name is redacted before the first name inside it.
  for (const value of [...new Set(personal)]
    .filter((v) => v.length > 0)
    .sort((a, b) => b.length - a.length)) {
    line = line.split(value).join('[redacted]');
  }
  line = line.replace(EMAIL_LIKE, '[redacted]');
  return line.length > MAX_DESCRIPTION_LENGTH ? `${line.slice(0, MAX_DESCRIPTION_LENGTH)}…` : line;
}
