// docker-compose.yml is what users with Docker run; scripts/temporal-cluster.mjs is what our
// tests run. They must not drift apart: the same Temporal server, Web UI and PostgreSQL major
// versions, and the same dynamic config.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

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
});
