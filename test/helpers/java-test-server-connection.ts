// How the tests' clients talk to the time-skipping test server (sdk-java's in-memory server), which
// differs from a Temporal server in two ways that once hung a test file for good.
import { InterceptingCall, status, type Interceptor, type InterceptorOptions } from '@grpc/grpc-js';
import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionPlugin,
  type GrpcRetryOptions,
} from '@temporalio/client';
import { openCallsWatch } from './open-calls-watch';

const QUERY_METHOD = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';

/** A query's first attempt; each next one waits twice as long (a loaded machine answers late). */
export const QUERY_FIRST_ATTEMPT_MS = 5_000;
const QUERY_ATTEMPTS = 6;

const isQuery = (options: InterceptorOptions): boolean => options.method_definition.path === QUERY_METHOD;
/** A deadline the caller set (Client.withDeadline): running out of it is the caller's answer. */
const callerDeadline = (options: InterceptorOptions): boolean =>
  options.deadline !== undefined && options.deadline !== Infinity;

/** Query attempts left unanswered in time and asked again, in this process (the tests check it). */
export const unansweredQueryAttempts = { count: 0 };

const defaults = defaultGrpcRetryOptions();
const queryRetry: GrpcRetryOptions = {
  delayFunction: defaults.delayFunction,
  retryableDecider: (attempt, callStatus) => {
    if (defaults.retryableDecider(attempt, callStatus)) return true;
    if (callStatus.code !== status.DEADLINE_EXCEEDED || attempt >= QUERY_ATTEMPTS) return false;
    // Said on stderr: how often a test met the test server's unanswered query.
    unansweredQueryAttempts.count++;
    process.stderr.write(`[grpc] QueryWorkflow attempt ${attempt} unanswered in time; asking again\n`);
    return true;
  },
};

/** The client's retries, and for a query with no deadline of its own, also an attempt that timed out. */
const retrying: Interceptor = (options, nextCall) =>
  makeGrpcRetryInterceptor(isQuery(options) && !callerDeadline(options) ? queryRetry : defaults)(
    options,
    nextCall,
  );

/** Each attempt's number, by the options object that the retry interceptor passes to each attempt. */
const queryAttempts = new WeakMap<InterceptorOptions, number>();

/**
 * A deadline for each attempt of a query that has none. The test server sends a query to the run
 * that is current when it comes; if that run's workflow task then continues it as new, the query
 * is never answered, nor failed (a Temporal server answers from the closed run). Asked again, the
 * query reaches the new run.
 */
const queryAttemptDeadline: Interceptor = (options, nextCall) => {
  if (!isQuery(options) || callerDeadline(options)) return new InterceptingCall(nextCall(options));
  const attempt = (queryAttempts.get(options) ?? 0) + 1;
  queryAttempts.set(options, attempt);
  const deadline = Date.now() + QUERY_FIRST_ATTEMPT_MS * 2 ** (attempt - 1);
  return new InterceptingCall(nextCall({ ...options, deadline }));
};

/**
 * The connection to the time-skipping server:
 * - Its keepalive. The SDK's client pings every 30 s, also with no call open; that server
 *   (grpc-java) allows a ping every 5 minutes, and after a few it closes the connection
 *   ("too_many_pings"). One ping every 6 minutes, only while a call is open, stays within that.
 * - A query is asked again when an attempt is not answered in time (queryAttemptDeadline).
 * - Every call is watched: one open for a minute is named on stderr (open-calls-watch.ts).
 */
export const javaTestServerConnection: ConnectionPlugin = {
  name: 'java-test-server-connection',
  configureConnection: (options) => ({
    ...options,
    channelArgs: {
      ...options.channelArgs,
      'grpc.keepalive_time_ms': 6 * 60_000,
      'grpc.keepalive_permit_without_calls': 0,
    },
    interceptors: [openCallsWatch, retrying, queryAttemptDeadline],
  }),
};
