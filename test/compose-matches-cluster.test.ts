// docker-compose.yml is what users with Docker run; scripts/temporal-cluster.mjs is what our
// tests run. They must not drift apart: the same Temporal server, Web UI and PostgreSQL major
// versions, and the same dynamic config.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEMPORAL_DYNAMIC_CONFIG } from '../src/shared/temporal-server-settings';

const root = join(__dirname, '..', '..');
const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const script = readFileSync(join(root, 'scripts', 'temporal-cluster.mjs'), 'utf8');

const constant = (name: string): string => {
  const match = new RegExp(`${name} = '([^']+)'`).exec(script);
  assert.ok(match, `${name} in scripts/temporal-cluster.mjs`);
  return match[1]!;
};
const images = (name: string): string[] =>
  [...compose.matchAll(new RegExp(`image: ${name}:(\\S+)`, 'g'))].map((m) => m[1]!);

describe('docker-compose.yml and the tested cluster', () => {
  it('run the same Temporal server and Web UI versions', () => {
    const server = constant('TEMPORAL_SERVER_VERSION').replace(/^v/, '');
    assert.deepEqual(images('temporalio/server'), [server]);
    assert.deepEqual([...new Set(images('temporalio/admin-tools'))], [server]);
    assert.deepEqual(images('temporalio/ui'), [constant('UI_SERVER_VERSION').replace(/^v/, '')]);
  });

  it('run the PostgreSQL major version the cluster command uses', () => {
    const version = execFileSync('initdb', ['--version'], { encoding: 'utf8' });
    const major = /(\d+)\.\d+/.exec(version)?.[1];
    assert.deepEqual(images('postgres'), [major]);
  });

  it('give the server the same dynamic config', () => {
    const fromScript = /const DYNAMIC_CONFIG = `([^`]+)`/.exec(script)?.[1];
    const fromCompose = /temporal-dynamic-config:\n\s+content: \|\n((?:\s{6}.*\n)+)/.exec(compose)?.[1];
    assert.ok(fromScript && fromCompose);
    const normal = (s: string): string =>
      s
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l.trim() !== '')
        .map((l) => l.replace(/^ {6}/, ''))
        .join('\n');
    assert.equal(normal(fromCompose), normal(fromScript));
  });

  it('give the cluster the dynamic config the dev servers get as flags', () => {
    const fromScript = /const DYNAMIC_CONFIG = `([^`]+)`/.exec(script)?.[1] ?? '';
    for (const [key, value] of Object.entries(TEMPORAL_DYNAMIC_CONFIG)) {
      const set = new RegExp(`^${key.replace(/\./g, '\\.')}:\\n\\s+- value: (\\S+)$`, 'm').exec(fromScript);
      assert.equal(set?.[1], JSON.stringify(value), `${key} in scripts/temporal-cluster.mjs`);
    }
  });
});

describe('the production image and its services', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

  it('bundles the workflow code at build time into the file its workers load', () => {
    const built = /RUN node dist\/src\/build-workflow-bundle\.js (\S+)/.exec(dockerfile)?.[1];
    const loaded = /WORKFLOW_BUNDLE_PATH=(\S+)/.exec(dockerfile)?.[1];
    assert.ok(built && loaded);
    assert.equal(loaded, `/app/${built}`, 'WORKDIR is /app');
    assert.match(dockerfile, /WORKDIR \/app/);
  });

  it('runs on a Node LTS line the code supports', () => {
    const major = Number(/FROM node:(\d+)-/.exec(dockerfile)?.[1]);
    const engines = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    assert.ok(major >= Number(/>=(\d+)/.exec(engines)?.[1]), `Node ${major} meets engines ${engines}`);
    assert.equal(major % 2, 0, 'even Node majors are the LTS lines');
  });

  it('checks the health of the API, the worker and the simulator on the ports they listen on', () => {
    const service = (name: string): string => {
      const match = new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\n)+)`).exec(compose);
      assert.ok(match, `service ${name}`);
      return match[1]!;
    };
    const checks: [string, RegExp][] = [
      ['api', /PORT: '(\d+)'/],
      ['worker', /WORKER_HEALTH_PORT: '(\d+)'/],
      ['salto-simulator', /SALTO_SIMULATOR_PORT: '(\d+)'/],
    ];
    for (const [name, portVariable] of checks) {
      const text = service(name);
      const port = portVariable.exec(text)?.[1];
      const checked = /healthcheck\.js', 'http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)?.[1];
      assert.ok(port, `${name} sets its port`);
      assert.equal(checked, port, `${name}'s health check calls its own port`);
    }
  });
});
