// The set-up as the set-up workflow last published it in its memo (SETUP_MEMO_KEY): one describe,
// answered by the Temporal server alone, so no worker's workflow task slot is needed. Undefined
// when the memo has none (a set-up workflow from before 0.3.0 that has not changed since); a
// missing set-up workflow throws WorkflowNotFoundError, for the caller to decide.
import type { Client } from '@temporalio/client';
import type { Setup } from '../core/types';
import { SETUP_MEMO_KEY } from '../workflows/messages';
import { SETUP_WORKFLOW_ID } from './ids';

export async function readSetupMemo(client: Client): Promise<Setup | undefined> {
  const { memo } = await client.workflow.getHandle(SETUP_WORKFLOW_ID).describe();
  return memo?.[SETUP_MEMO_KEY] as Setup | undefined;
}
