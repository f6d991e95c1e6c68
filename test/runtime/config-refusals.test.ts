// configuration.md: invalid configuration makes a process exit with code 2 and a message naming
// each bad variable. Checked on the built processes themselves, as an operator starts them.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_EXIT_CODE, ConfigError, loadConfig } from '../../src/config';

const DIST_SRC = join(__dirname, '..', '..', 'src');

function refusal(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

/** Runs a built entry point with only this environment; resolves with its exit code and stderr. */
function run(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST_SRC, entry)], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

void describe('configuration refused', () => {
  void it('names both SALTO KS client variables when both are missing', () => {
    const err = refusal({
      SALTO_KS_IDENTITY_URL: 'https://identity.example',
      SALTO_KS_API_URL: 'https://api.example',
    });
    assert.deepEqual(err.problems.map((p) => p.variable).sort(), [
      'SALTO_KS_CLIENT_ID',
      'SALTO_KS_CLIENT_SECRET',
    ]);
  });

  void it('names only the missing one when the other is set', () => {
    const err = refusal({
      SALTO_KS_IDENTITY_URL: 'https://identity.example',
      SALTO_KS_API_URL: 'https://api.example',
      SALTO_KS_CLIENT_ID: 'a-client',
    });
    assert.deepEqual(
      err.problems.map((p) => p.variable),
      ['SALTO_KS_CLIENT_SECRET'],
    );
  });

  const processes: { entry: string; variable: string; value: string }[] = [
    { entry: 'simulator-main.js', variable: 'SALTO_SIMULATOR_PORT', value: 'not-a-port' },
    { entry: 'api-main.js', variable: 'PORT', value: '70000' },
    { entry: 'worker-main.js', variable: 'WORKER_MAX_CACHED_WORKFLOWS', value: 'many' },
  ];
  for (const { entry, variable, value } of processes) {
    void it(`${entry} exits with ${CONFIG_EXIT_CODE} and names ${variable}=${value}`, async () => {
      const { code, stderr } = await run(entry, { [variable]: value });
      assert.equal(code, CONFIG_EXIT_CODE, stderr);
      assert.match(stderr, new RegExp(`^\\s*${variable}: `, 'm'));
    });
  }
});
