// Changing SALTO KS behind the service's back, as someone in the SALTO KS app would: through the
// simulator's Connect API with a token of its own.
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SYSTEM_PASSWORD,
  DEMO_SYSTEM_USER,
} from '../../src/simulator/demo-seed';
import type { RunningSimulator } from '../../src/simulator/server';

async function accessToken(simUrl: string): Promise<string> {
  const res = await fetch(`${simUrl}/connect/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'password',
      username: DEMO_SYSTEM_USER,
      password: DEMO_SYSTEM_PASSWORD,
      scope: 'user_api.full_access',
    }),
  });
  if (!res.ok) throw new Error(`simulator token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Any Connect API call, made by hand (its answer must be a success). */
export async function changeSaltoByHand(
  simUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  const res = await fetch(`${simUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await accessToken(simUrl)}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

export async function removeFromGroupInSalto(
  sim: RunningSimulator,
  siteId: string,
  groupId: string,
  platformUserId: string,
): Promise<void> {
  await changeSaltoByHand(
    sim.url,
    'DELETE',
    `/v1.2/sites/${siteId}/access_groups/${groupId}/users/${platformUserId}`,
  );
}

/** The platform user id of a person's SALTO KS user on a site, found by its alias. */
export function platformUserOf(sim: RunningSimulator, siteId: string, personId: string): string | undefined {
  const site = sim.simulator.state().sites.find((s) => s.id === siteId);
  return site?.users.find((u) => u.alias === `deskworks:${personId}`)?.userId;
}

export function groupMembers(sim: RunningSimulator, siteId: string, groupId: string): string[] {
  const site = sim.simulator.state().sites.find((s) => s.id === siteId);
  return site?.access_groups.find((g) => g.id === groupId)?.members ?? [];
}

/** Deletes an access group as someone in the SALTO KS app would (a simulator control). */
export async function deleteGroupInSalto(
  sim: RunningSimulator,
  siteId: string,
  groupId: string,
): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/sites/${siteId}/access_groups/${groupId}`, { method: 'DELETE' });
  if (res.status !== 204) throw new Error(`delete group ${groupId}: ${res.status} ${await res.text()}`);
}

/** Deletes a person's SALTO KS user on a site as someone in the SALTO KS app would. */
export async function deleteUserInSalto(
  sim: RunningSimulator,
  siteId: string,
  personId: string,
): Promise<void> {
  const site = sim.simulator.state().sites.find((s) => s.id === siteId);
  const user = site?.users.find((u) => u.alias === `deskworks:${personId}`);
  if (!user) throw new Error(`no SALTO KS user of ${personId} on ${siteId}`);
  await changeSaltoByHand(sim.url, 'DELETE', `/v1.2/sites/${siteId}/users/${user.id}`);
}

/**
 * Creates a user in the SALTO KS app, with no alias (before the integration knew it), holding
 * these groups. Returns its site user id.
 */
export async function createUserInSalto(
  sim: RunningSimulator,
  siteId: string,
  user: { firstName: string; lastName: string; email: string; groups: string[] },
): Promise<string> {
  const rolesRes = await fetch(`${sim.url}/v1.2/sites/${siteId}/roles`, {
    headers: { Authorization: `Bearer ${await accessToken(sim.url)}` },
  });
  if (!rolesRes.ok) throw new Error(`roles of ${siteId}: ${rolesRes.status} ${await rolesRes.text()}`);
  const roles = ((await rolesRes.json()) as { items: { id: string; code: string }[] }).items;
  const role = roles.find((r) => r.code === 'user') ?? roles[0];
  if (!role) throw new Error(`no role on site ${siteId}`);
  await changeSaltoByHand(sim.url, 'POST', `/v1.2/sites/${siteId}/users`, {
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    role_ids: [role.id],
  });
  const created = sim.simulator
    .state()
    .sites.find((s) => s.id === siteId)
    ?.users.find((u) => u.email === user.email);
  if (!created) throw new Error(`the user ${user.email} was not created on ${siteId}`);
  for (const groupId of user.groups)
    await changeSaltoByHand(sim.url, 'POST', `/v1.2/sites/${siteId}/access_groups/${groupId}/users`, {
      user_id: created.userId,
    });
  return created.id;
}

/** Sets (or clears) a user's alias in the SALTO KS app. */
export async function setAliasInSalto(
  sim: RunningSimulator,
  siteId: string,
  siteUserId: string,
  alias: string | null,
): Promise<void> {
  await changeSaltoByHand(sim.url, 'PATCH', `/v1.2/sites/${siteId}/users/${siteUserId}`, { alias });
}
