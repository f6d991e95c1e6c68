// A real Temporal cluster on this machine without Docker: PostgreSQL 15 (initdb, pg_ctl), the
// Temporal server v1.32.0 and its schema tool built from the Go module proxy, SQL visibility on
// PostgreSQL 12+ (search attributes work), and the Web UI server. The same versions and settings
// as docker-compose.yml. Optional mTLS on the frontend, with certificates given by the caller.
//
//   node scripts/temporal-cluster.mjs build
//   node scripts/temporal-cluster.mjs start [--dir D] [--port 7233] [--pg-port 5433] [--ui-port 8233]
//                                            [--tls-dir T] [--codec-endpoint URL] [--namespace N] [--json]
//   node scripts/temporal-cluster.mjs stop [--dir D]
//
// --tls-dir holds ca.pem, server.pem, server.key (the frontend's, for localhost and 127.0.0.1),
// client.pem and client.key (what the server's own system worker and the Web UI present): the
// frontend then requires a client certificate signed by ca.pem. Binaries are cached in
// .temporal-bin/cluster/ like the CLI; state lives in --dir (default .temporal-cluster/).
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './temporal-binaries.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPORAL_SERVER_VERSION = 'v1.32.0';
export const UI_SERVER_VERSION = 'v2.42.1'; // the one the Temporal CLI v1.5.1 embeds
const binDir = join(root, '.temporal-bin', 'cluster');
const bins = {
  server: join(binDir, 'temporal-server'),
  sqlTool: join(binDir, 'temporal-sql-tool'),
  ui: join(binDir, 'temporal-ui-server'),
  schema: join(binDir, 'schema', 'postgresql', 'v12'),
};
const log = (msg) => process.stderr.write(`[cluster] ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().slice(-2000)}`,
    );
  return r.stdout;
}

function goInstall(pkg, binary, target) {
  if (existsSync(target)) return;
  log(`building ${pkg} with Go (one time; several minutes on 2 cores)…`);
  const started = Date.now();
  run('go', ['install', pkg], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false' },
  });
  renameSync(join(binDir, binary), target);
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** The server, the schema tool, the PostgreSQL schema files and the Web UI server. */
export function buildClusterBinaries() {
  mkdirSync(binDir, { recursive: true });
  goInstall(`go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, 'server', bins.server);
  goInstall(`go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`, 'sql', bins.sqlTool);
  goInstall(`github.com/temporalio/ui-server/v2/cmd/server@${UI_SERVER_VERSION}`, 'server', bins.ui);
  if (!existsSync(bins.schema)) {
    const modCache = run('go', ['env', 'GOMODCACHE']).trim();
    const source = join(
      modCache,
      `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`,
      'schema',
      'postgresql',
      'v12',
    );
    cpSync(source, bins.schema, { recursive: true });
    chmodRecursive(bins.schema);
  }
  return bins;
}

function chmodRecursive(dir) {
  run('chmod', ['-R', 'u+w,a+rX', dir]);
}

function args(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const key = a.slice(2);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) out[key] = true;
      else {
        out[key] = next;
        i++;
      }
    } else out._.push(a);
  }
  return out;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Where initdb and pg_ctl are: on PATH, or where Debian's postgresql packages put them
 * (/usr/lib/postgresql/<major>/bin, not on PATH); the newest major wins.
 */
function postgresBin(cmd) {
  const onPath = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((m) => existsSync(join(root, m, 'bin', cmd)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(`${cmd} not found: install PostgreSQL 15 (Debian: apt-get install postgresql-15)`);
  }
  return join(root, majors[0], 'bin', cmd);
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
function pg(cmd, cmdArgs, opts = {}) {
  const path = postgresBin(cmd);
  return isRoot ? run('runuser', ['-u', 'postgres', '--', path, ...cmdArgs], opts) : run(path, cmdArgs, opts);
}

function startPostgres(dir, pgPort) {
  const data = join(dir, 'pg');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    mkdirSync(data, { recursive: true });
    if (isRoot) {
      chownSync(dir, uid('postgres'), gid('postgres'));
      chownSync(data, uid('postgres'), gid('postgres'));
    }
    log('initdb…');
    pg('initdb', ['-D', data, '-U', 'temporal', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  }
  pg('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'postgresql.log'),
    '-o',
    `-p ${pgPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${data} -c max_connections=200 -c fsync=off`,
    '-w',
    'start',
  ]);
}

function uid(user) {
  return Number(run('id', ['-u', user]).trim());
}
function gid(user) {
  return Number(run('id', ['-g', user]).trim());
}

function setupSchema(pgPort) {
  const common = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'temporal'];
  for (const [db, versioned] of [
    ['temporal', join(bins.schema, 'temporal', 'versioned')],
    ['temporal_visibility', join(bins.schema, 'visibility', 'versioned')],
  ]) {
    // Idempotent: an existing database and an applied version are left as they are.
    spawnSync(bins.sqlTool, [...common, '--db', db, 'create-database'], { encoding: 'utf8' });
    const setup = spawnSync(bins.sqlTool, [...common, '--db', db, 'setup-schema', '-v', '0.0'], {
      encoding: 'utf8',
    });
    if (setup.status !== 0 && !/already exists/.test(setup.stderr + setup.stdout))
      throw new Error(`setup-schema ${db}: ${setup.stderr}`);
    run(bins.sqlTool, [...common, '--db', db, 'update-schema', '-d', versioned]);
  }
}

function serverConfig({ port, pgPort, tlsDir }) {
  const store = (db, conns) => `      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "127.0.0.1:${pgPort}"
        connectProtocol: "tcp"
        user: "temporal"
        password: ""
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const tls = tlsDir
    ? `  tls:
    frontend:
      server:
        certFile: ${join(tlsDir, 'server.pem')}
        keyFile: ${join(tlsDir, 'server.key')}
        clientCaFiles: [${join(tlsDir, 'ca.pem')}]
        requireClientAuth: true
      client:
        serverName: localhost
        rootCaFiles: [${join(tlsDir, 'ca.pem')}]
    systemWorker:
      certFile: ${join(tlsDir, 'client.pem')}
      keyFile: ${join(tlsDir, 'client.key')}
      client:
        serverName: localhost
        rootCaFiles: [${join(tlsDir, 'ca.pem')}]
`
    : '';
  const service = (name, grpc, membership, extra = '') => `  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true
${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
${store('temporal', 20)}
    visibility:
${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
${tls}services:
${service('frontend', port, port + 100, `      httpPort: ${port + 10}\n`)}${service('history', port + 1, port + 101)}${service('matching', port + 2, port + 102)}${service('worker', port + 3, port + 103)}clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "localhost:${port}"
dcRedirectionPolicy:
  policy: "noop"
publicClient:
  hostPort: "localhost:${port}"
dynamicConfigClient:
  filepath: "dynamic-config.yaml"
  pollInterval: "10s"
`;
}

// As docker-compose.yml's: the worker uses the search attributes it has just registered at once;
// eager activity dispatch (src/shared/temporal-server-settings.ts); 100 visibility calls per second
// for the namespace, not the server's 10, past which a call is refused and the client retries it
// 1 to 2 s later (docs/production.md, "Server dynamic config").
const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
system.enableActivityEagerExecution:
  - value: true
    constraints: {}
frontend.namespaceRPS.visibility:
  - value: 100
    constraints: {}
`;

function uiConfig({ port, uiPort, tlsDir, codecEndpoint }) {
  const tls = tlsDir
    ? `tls:
  caFile: ${join(tlsDir, 'ca.pem')}
  certFile: ${join(tlsDir, 'client.pem')}
  keyFile: ${join(tlsDir, 'client.key')}
  serverName: localhost
  enableHostVerification: true
`
    : '';
  const codec = codecEndpoint
    ? `codec:
  endpoint: ${codecEndpoint}
  includeCredentials: true
`
    : '';
  return `temporalGrpcAddress: 127.0.0.1:${port}
host: 127.0.0.1
port: ${uiPort}
enableUi: true
defaultNamespace: default
${tls}${codec}`;
}

function startDetached(cmd, cmdArgs, cwd, logFile, pidFile) {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, cmdArgs, { cwd, detached: true, stdio: ['ignore', out, out] });
  writeFileSync(pidFile, String(child.pid));
  child.unref();
  return child.pid;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pidFile) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (alive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

/** Creates the namespace (as docker-compose.yml's temporal-namespace service does); an existing one is kept. */
async function registerNamespace(address, tlsDir, namespace) {
  const { Connection } = await import('@temporalio/client');
  const tls = tlsDir
    ? {
        serverRootCACertificate: readFileSync(join(tlsDir, 'ca.pem')),
        clientCertPair: {
          crt: readFileSync(join(tlsDir, 'client.pem')),
          key: readFileSync(join(tlsDir, 'client.key')),
        },
      }
    : false;
  const deadline = Date.now() + 120_000;
  for (;;) {
    let connection;
    try {
      connection = await Connection.connect({ address, tls, connectTimeout: 5_000 });
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: { seconds: 3 * 24 * 3600 },
      });
      log(`namespace ${namespace} registered`);
      return;
    } catch (err) {
      if (err?.code === 6 /* ALREADY_EXISTS */) return;
      if (Date.now() > deadline)
        throw new Error(`could not register namespace ${namespace}: ${err?.message ?? err}`);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await connection?.close();
    }
  }
}

export async function startCluster(options) {
  const dir = resolve(options.dir ?? join(root, '.temporal-cluster'));
  const port = Number(options.port ?? 7233);
  const pgPort = Number(options.pgPort ?? 5433);
  const uiPort = Number(options.uiPort ?? 8233);
  const tlsDir = options.tlsDir ? resolve(options.tlsDir) : null;
  // Temporal keeps membership ports (port + 100…103) in a PostgreSQL smallint column.
  if (!Number.isInteger(port) || port < 1 || port + 103 > 32_767)
    throw new Error(
      `--port ${options.port}: must be 1–32664 (the membership ports, port + 100…103, must stay below 32768)`,
    );
  buildClusterBinaries();
  mkdirSync(dir, { recursive: true });
  startPostgres(dir, pgPort);
  setupSchema(pgPort);
  writeFileSync(join(dir, 'config.yaml'), serverConfig({ port, pgPort, tlsDir }));
  writeFileSync(join(dir, 'dynamic-config.yaml'), DYNAMIC_CONFIG);
  log(
    `starting the Temporal server ${TEMPORAL_SERVER_VERSION} on 127.0.0.1:${port}${tlsDir ? ' (mTLS)' : ''}…`,
  );
  startDetached(
    bins.server,
    ['--config-file', join(dir, 'config.yaml'), '--allow-no-auth', 'start'],
    dir,
    join(dir, 'server.log'),
    join(dir, 'server.pid'),
  );
  await waitForPort(port, 120_000, 'the Temporal frontend never');
  await registerNamespace(`localhost:${port}`, tlsDir, options.namespace ?? 'default');
  mkdirSync(join(dir, 'ui'), { recursive: true });
  writeFileSync(
    join(dir, 'ui', 'cluster.yaml'),
    uiConfig({ port, uiPort, tlsDir, codecEndpoint: options.codecEndpoint }),
  );
  startDetached(
    bins.ui,
    ['--root', dir, '--config', 'ui', '--env', 'cluster', 'start'],
    dir,
    join(dir, 'ui.log'),
    join(dir, 'ui.pid'),
  );
  await waitForPort(uiPort, 60_000, 'the Temporal Web UI never');
  const info = {
    address: `localhost:${port}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    dir,
    pgPort,
    tls: tlsDir !== null,
  };
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

export async function stopCluster(options) {
  const dir = resolve(options.dir ?? join(root, '.temporal-cluster'));
  await stopPid(join(dir, 'ui.pid'));
  await stopPid(join(dir, 'server.pid'));
  const data = join(dir, 'pg');
  if (existsSync(join(data, 'postmaster.pid'))) pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const a = args(process.argv.slice(2));
  const command = a._[0];
  const options = {
    dir: a.dir,
    port: a.port,
    pgPort: a['pg-port'],
    uiPort: a['ui-port'],
    tlsDir: a['tls-dir'],
    codecEndpoint: a['codec-endpoint'],
    namespace: a.namespace,
  };
  try {
    if (command === 'build') {
      buildClusterBinaries();
    } else if (command === 'start') {
      const info = await startCluster(options);
      if (a.json) process.stdout.write(JSON.stringify(info) + '\n');
      else
        log(
          `Temporal cluster up: ${info.address} (Web UI ${info.uiUrl}); stop it with \`npm run cluster -- stop\``,
        );
    } else if (command === 'stop') {
      await stopCluster(options);
      log('stopped');
    } else {
      process.stderr.write('usage: temporal-cluster.mjs build | start [options] | stop [--dir D]\n');
      process.exit(2);
    }
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
