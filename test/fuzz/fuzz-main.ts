// `npm run fuzz`: the webhook and the admin API under hostile input (fuzz-run.ts). Prints the
// answers by status and every check; exits 1 when a check fails, with the shrunk input and the
// seed and path that replay it.
//
//   npm run fuzz [-- --bodies 100000] [--admin 10000] [--seed N] [--path P] [--admin-path P] [--json]
import { parseArgs } from 'node:util';
import '../helpers/temporal-env'; // the worker's own log at WARN
import { formatReport, runFuzz } from './fuzz-run';

const USAGE = `npm run fuzz -- [options]
  --bodies N        webhook requests (default 100000)
  --admin N         admin API requests (default a tenth of --bodies)
  --seed N          fast-check's seed (default: random, printed)
  --path P          replay one webhook counterexample (with its --seed)
  --admin-path P    replay one admin counterexample (with its --seed)
  --json            the report as JSON`;

function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a whole number ≥ 1, not "${text}"`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bodies: { type: 'string' },
      admin: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'admin-path': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const bodies = count('bodies', values.bodies, 100_000);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be a whole number, not "${values.seed}"`);
  process.stderr.write(`[fuzz] seed ${seed}\n`);
  const report = await runFuzz({
    webhookRequests: bodies,
    adminRequests: count('admin', values.admin, Math.max(1, Math.round(bodies / 10))),
    seed,
    ...(values.path ? { webhookPath: values.path } : {}),
    ...(values['admin-path'] ? { adminPath: values['admin-path'] } : {}),
    progress: (line) => void process.stderr.write(`[fuzz] ${line}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\n${USAGE}\n`,
    );
    process.exit(2);
  },
);
