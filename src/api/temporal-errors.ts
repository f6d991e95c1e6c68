// Telling "Temporal could not be reached" (answer 503, the caller retries, nothing is lost)
// from everything else.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

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

export function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError;
}
