// Loaded by path (the worker bundles it into the workflow sandbox): failure messages and stack
// traces go into an encoded payload, so the payload codec encrypts them like any other payload.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
