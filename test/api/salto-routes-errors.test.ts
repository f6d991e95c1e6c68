// GET /api/salto/sites/:siteId/access-groups with a site SALTO KS does not have, or an id that is
// not one: the caller's mistake, so a 404 or a 400, never a 5xx (found by `npm run fuzz`). Whole
// product: the real API, signed into the SALTO KS simulator over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../helpers/stack';
import { BERLIN } from '../e2e/e2e-support';

/** Access-group reads the simulator served, from its request log over HTTP. */
async function accessGroupReads(stack: Stack): Promise<number> {
  const answer = await fetch(`${stack.sim.url}/__sim/requests`);
  const served = (await answer.json()) as { method: string; path: string }[];
  return served.filter((r) => r.method === 'GET' && r.path.endsWith('/access_groups')).length;
}

void describe("the set-up's SALTO KS reads with a bad site id", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ workers: 0 });
  });

  after(async () => {
    await stack?.stop();
  });

  void it('lists the groups of a site that exists', async () => {
    const answer = await stack.api('GET', `/api/salto/sites/${BERLIN.siteId}/access-groups`);
    assert.equal(answer.status, 200);
    const site = stack.sim.simulator.state().sites.find((s) => s.id === BERLIN.siteId);
    const seeded = (site?.access_groups ?? []).map((g) => g.id).sort();
    assert.ok(seeded.length > 0, 'the demo seed has Berlin groups');
    assert.deepEqual((answer.body as { id: string }[]).map((g) => g.id).sort(), seeded);
  });

  void it('answers 404 naming the site SALTO KS does not know', async () => {
    const answer = await stack.api(
      'GET',
      '/api/salto/sites/00000000-0000-1000-8000-000000000000/access-groups',
    );
    assert.equal(answer.status, 404);
    assert.equal((answer.body as { error: string }).error, 'not_found');
  });

  void it('answers 400 for an id that cannot be a path segment, without asking SALTO KS', async () => {
    // ('.' and '..' never get here: URL parsing resolves them away before the request is sent.)
    const readsBefore = await accessGroupReads(stack);
    for (const id of ['%2F', '%5C', 'a%2Fb']) {
      const answer = await stack.api('GET', `/api/salto/sites/${id}/access-groups`);
      assert.equal(answer.status, 400, id);
      assert.equal((answer.body as { error: string }).error, 'invalid_request');
    }
    assert.equal(await accessGroupReads(stack), readsBefore, 'no access-group read reached SALTO KS');
    // The control: a good id does reach it, so the count above could have moved.
    assert.equal((await stack.api('GET', `/api/salto/sites/${BERLIN.siteId}/access-groups`)).status, 200);
    assert.ok((await accessGroupReads(stack)) > readsBefore, 'a good id is read from SALTO KS');
  });
});
