// The people list, the health panel, the set-up fan-out, the reconciliation and the import all
// read Temporal's visibility. A Temporal server allows 10 visibility calls per second to a
// namespace by default and refuses the next with RESOURCE_EXHAUSTED, which the SDK's client
// retries 1 to 2 s later: on the cluster, every tenth call of a burst waited that long.
// Our cluster and docker-compose.yml raise the allowance (frontend.namespaceRPS.visibility). This
// asks without the client's retries, so a refusal shows as one; on the dev server there is no
// such limit, and the test checks the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { peopleVisibilityQuery } from '../../src/api/people-query';
import { startStack, type Stack } from '../helpers/stack';

/** gRPC's status code for a call refused by a rate limit. */
const RESOURCE_EXHAUSTED = 8;

/** More than the server's default allowance (10 per second, burst of 10), asked at once. */
const BURST = 40;

describe('visibility calls in a burst', () => {
  let stack: Stack;
  let bare: Connection;

  before(async () => {
    stack = await startStack();
    const { address } = (stack.client.connection as Connection).options;
    // No interceptors: not even the default one that retries RESOURCE_EXHAUSTED out of sight.
    bare = await Connection.connect({ address, interceptors: [] });
  });

  after(async () => {
    await bare?.close();
    await stack?.stop();
  });

  it(`are all answered: ${BURST} people-list reads back to back, none refused by a rate limit`, async () => {
    const refused: string[] = [];
    let answered = 0;
    for (let i = 0; i < BURST; i++) {
      try {
        await bare.workflowService.listWorkflowExecutions({
          namespace: stack.namespace,
          query: peopleVisibilityQuery({}, null),
          pageSize: 50,
        });
        answered++;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code !== RESOURCE_EXHAUSTED) throw err;
        refused.push(`call ${i + 1}: ${(err as Error).message}`);
      }
    }
    assert.deepEqual(
      refused,
      [],
      'the server refused visibility calls: raise frontend.namespaceRPS.visibility',
    );
    assert.equal(answered, BURST);
  });
});
