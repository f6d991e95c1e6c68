// Signal-with-start of a person workflow, typed, in one place: the webhook, the coordination
// activities and the tests all reach a person this way, so the first event starts its workflow.
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { PersonEvent } from '../core/person-events';
import { personEventSignal } from '../workflows/messages';
import type { personWorkflow, PersonStart } from '../workflows/person';
import { PERSON_WORKFLOW_TYPE, personWorkflowId, personWorkflowSummary } from './ids';

export function signalPersonWithStart(
  client: Client,
  taskQueue: string,
  personId: string,
  event: PersonEvent,
  start?: PersonStart,
): Promise<WorkflowHandle<typeof personWorkflow>> {
  return client.workflow.signalWithStart<typeof personWorkflow, [PersonEvent]>(PERSON_WORKFLOW_TYPE, {
    workflowId: personWorkflowId(personId),
    taskQueue,
    args: [{ personId, ...(start ? { start } : {}) }],
    signal: personEventSignal,
    signalArgs: [event],
    // What the Temporal Web UI lists it as: ids only (it goes through the payload codec anyway).
    staticSummary: personWorkflowSummary(personId),
  });
}
