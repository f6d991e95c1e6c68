// The SALTO KS simulator's own cost per new member as the space grows: it runs in the bench's
// process, beside the worker the bench measures, so a call that scans every user would slow the
// figures of a large space down. Times, over HTTP, what the engine asks for a new member (look the
// e-mail up, create the user, add it to a group) against sites already holding N users each.
//   node dist/test/bench/simulator-calls.js [--users 0,25000,50000] [--members 300]
import { parseArgs } from 'node:util';
import { startSimulator } from '../../src/simulator/server';
import type { SimSeed } from '../../src/simulator';

const CLIENT = { id: 'bench', secret: 'bench-secret' };
const SYSTEM_USER = { name: 'bench-user', password: 'bench-password' };

function seedWith(users: number): SimSeed {
  const people = Array.from({ length: users }, (_, i) => ({ email: `user${i}@space.test` }));
  return {
    clients: { [CLIENT.id]: CLIENT.secret },
    systemUsers: { [SYSTEM_USER.name]: SYSTEM_USER.password },
    sites: [
      {
        id: 'site-1',
        access_groups: [{ id: 'group-1' }, { id: 'group-2' }],
        users: people.map((p) => ({ ...p, groups: ['group-1'] })),
      },
      {
        id: 'site-2',
        access_groups: [{ id: 'group-3' }],
        users: people.map((p) => ({ ...p, groups: ['group-3'] })),
      },
    ],
  };
}

/** Milliseconds per new member on a site of `users` users, over `members` new members. */
async function msPerMember(users: number, members: number): Promise<number> {
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: seedWith(users) });
  try {
    const tokenAnswer = await fetch(`${sim.url}/connect/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'password',
        username: SYSTEM_USER.name,
        password: SYSTEM_USER.password,
        scope: 'user_api.full_access',
      }),
    });
    const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
      const answer = await fetch(`${sim.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
      return answer.status === 204 ? null : answer.json();
    };
    const roles = (await call('GET', '/v1.2/sites/site-1/roles')) as {
      items: { id: string; code: string }[];
    };
    const roleId = roles.items.find((r) => r.code === 'site_user')!.id;
    const started = performance.now();
    for (let i = 0; i < members; i++) {
      const email = `new${i}@space.test`;
      await call('GET', `/v1.2/sites/site-1/users?$filter=${encodeURIComponent(`user/email eq '${email}'`)}`);
      const created = (await call('POST', '/v1.2/sites/site-1/users', {
        first_name: 'New',
        last_name: 'Member',
        email,
        role_ids: [roleId],
      })) as { user: { id: string } };
      await call('PATCH', '/v1.1/sites/site-1/access_groups/group-1/users', { add_ids: [created.user.id] });
    }
    return (performance.now() - started) / members;
  } finally {
    await sim.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '0,25000,50000' },
      members: { type: 'string', default: '300' },
    },
  });
  const sizes = values.users.split(',').map(Number);
  const members = Number(values.members);
  if (sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`--users: ${values.users}`);
  if (!Number.isInteger(members) || members < 1) throw new Error(`--members: ${values.members}`);
  for (const users of sizes) {
    const ms = await msPerMember(users, members);
    process.stdout.write(
      `${users} users per site: ${ms.toFixed(2)} ms per new member (look-up, create, group add)\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
