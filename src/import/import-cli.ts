// `npm run import -- FILE`: uploads an import file (docs/import.md) to the running API, streamed,
// then follows the import workflow's progress on one line until it is done, and lists the rows
// it refused. `npm run import -- --follow <importId>` follows an import already under way.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { apiUrlFrom, demoSecrets, DEMO_SECRETS_FILE } from '../demo/demo-secrets-file';
import type { ImportProgress } from '../workflows/import';
import { formatOfFileName } from './row-splitter';

const USAGE = `usage: npm run import -- FILE [--api URL]
       npm run import -- --follow IMPORT_ID [--api URL]

FILE is NDJSON (.ndjson, .jsonl: one row per line) or a JSON array (.json) of rows
{"kind": "center"|"product"|"reservation_unit"|"member"|"reservation", "data": {…}} (docs/import.md).
The admin token comes from ADMIN_TOKEN (default: the one \`npm start\` keeps in data/demo-secrets.json);
the API from --api, DEMO_API_URL or http://localhost:$PORT.
Exit status: 0 all rows imported, 1 some rows refused (listed), 2 the file or the call was refused.`;

class UsageError extends Error {}

interface Options {
  file: string | null;
  follow: string | null;
  apiUrl: string;
  adminToken: string;
}

function parse(argv: string[]): Options | 'help' {
  let file: string | null = null;
  let follow: string | null = null;
  let api: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--api' || arg === '--follow') {
      const value = argv[++i];
      if (!value) throw new UsageError(`${arg} needs a value`);
      if (arg === '--api') api = value;
      else follow = value;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (file === null) file = arg;
    else throw new UsageError(`one file at a time (got ${file} and ${arg})`);
  }
  if ((file === null) === (follow === null)) throw new UsageError('give a FILE, or --follow IMPORT_ID');
  if (file !== null && (!existsSync(file) || !statSync(file).isFile()))
    throw new UsageError(`no file ${file}`);
  const adminToken = process.env.ADMIN_TOKEN || demoSecrets().adminToken;
  if (!adminToken)
    throw new UsageError(
      `no ADMIN_TOKEN: set it, or run \`npm start\` once so that ${DEMO_SECRETS_FILE} exists`,
    );
  return { file, follow, apiUrl: apiUrlFrom(api), adminToken };
}

function contentTypeOf(file: string): string {
  const format = formatOfFileName(file);
  if (format === null)
    throw new UsageError(`${file}: name it .ndjson, .jsonl or .json, so that its format is known`);
  return format === 'ndjson' ? 'application/x-ndjson' : 'application/json';
}

async function upload(options: Options, file: string): Promise<string> {
  const size = statSync(file).size;
  process.stdout.write(`uploading ${file} (${(size / 1024).toFixed(0)} KiB) to ${options.apiUrl}…\n`);
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.adminToken}`, 'Content-Type': contentTypeOf(file) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  };
  const res = await fetch(`${options.apiUrl}/api/import?name=${encodeURIComponent(basename(file))}`, init);
  const body = (await res.json().catch(() => ({}))) as {
    importId?: string;
    rows?: number;
    message?: string;
    error?: string;
  };
  if (res.status !== 202 || !body.importId) {
    // 409: another import runs; its id is the one to follow.
    const follow =
      res.status === 409 && body.importId ? ` (npm run import -- --follow ${body.importId})` : '';
    throw new UsageError(
      `the API refused the file (${res.status}): ${body.message ?? body.error ?? 'no reason given'}${follow}`,
    );
  }
  process.stdout.write(`import ${body.importId}: ${body.rows} rows\n`);
  return body.importId;
}

function line(p: ImportProgress): string {
  const percent = p.rows === 0 ? 100 : Math.floor((p.rowsDone / p.rows) * 100);
  const width = 30;
  const filled = Math.round((percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${p.rowsDone}/${p.rows} rows, ${p.delivered} imported, ${p.issueCount} refused`;
}

async function follow(options: Options, importId: string): Promise<ImportProgress> {
  const tty = process.stdout.isTTY;
  let lastPrinted = '';
  for (;;) {
    const res = await fetch(`${options.apiUrl}/api/imports/${encodeURIComponent(importId)}`, {
      headers: { Authorization: `Bearer ${options.adminToken}` },
    });
    if (res.status !== 200)
      throw new UsageError(`GET /api/imports/${importId} answered ${res.status}: ${await res.text()}`);
    const progress = (await res.json()) as ImportProgress;
    const text = line(progress);
    if (tty) process.stdout.write(`\r${text}`);
    else if (text !== lastPrinted) process.stdout.write(`${text}\n`);
    lastPrinted = text;
    if (progress.status === 'done') {
      if (tty) process.stdout.write('\n');
      return progress;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function main(): Promise<number> {
  try {
    const options = parse(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const importId = options.follow ?? (await upload(options, options.file!));
    process.on('SIGINT', () => {
      process.stdout.write(
        `\nthe import goes on in Temporal; follow it again with: npm run import -- --follow ${importId}\n`,
      );
      process.exit(130);
    });
    const done = await follow(options, importId);
    const kinds = Object.entries(done.byKind)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(', ');
    process.stdout.write(
      `done: ${done.delivered} rows imported (${kinds || 'none'}), ${done.issueCount} refused\n`,
    );
    for (const issue of done.issues)
      process.stdout.write(`  row ${issue.row}, ${issue.field}: ${issue.message}\n`);
    if (done.issueCount > done.issues.length) {
      process.stdout.write(
        `  … and ${done.issueCount - done.issues.length} more (the first ${done.issues.length} are listed)\n`,
      );
    }
    return done.issueCount > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n(npm run import -- --help shows the usage)\n`);
      return 2;
    }
    process.stderr.write(`error: could not reach the integration: ${(error as Error).message}\n`);
    return 2;
  }
}

void main().then((code) => process.exit(code));
