// `npm run demo:events -- <command> …`: sends one signed Deskworks event to the running
// integration (or reads a person's status). `--help` lists the commands.
import { CliUsageError } from './cli-values';
import { helpText, parseCommandLine, type CliAction } from './demo-cli';
import { apiUrlFrom, demoSecrets, DEMO_SECRETS_FILE } from './demo-secrets-file';
import { callAdminApi, postSignedEvent, type HttpAnswer, type IntegrationTarget } from './integration-client';

function targetFor(apiUrlOption: string | null): IntegrationTarget {
  const stored = demoSecrets();
  const webhookSecret = process.env.DESKWORKS_WEBHOOK_SECRET?.split(',')[0]?.trim() || stored.webhookSecret;
  const adminToken = process.env.ADMIN_TOKEN || stored.adminToken;
  if (!webhookSecret || !adminToken) {
    throw new CliUsageError(
      `no ${webhookSecret ? 'ADMIN_TOKEN' : 'DESKWORKS_WEBHOOK_SECRET'}: set it, or run \`npm start\` once so that ${DEMO_SECRETS_FILE} exists`,
    );
  }
  return { apiUrl: apiUrlFrom(apiUrlOption), webhookSecret, adminToken };
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function run(action: Exclude<CliAction, { kind: 'help' }>): Promise<HttpAnswer> {
  const target = targetFor(action.apiUrl);
  if (action.kind === 'status') {
    const answer = await callAdminApi(
      target,
      'GET',
      `/api/people/${encodeURIComponent(action.personId)}/access`,
    );
    if (answer.status === 200) print(JSON.stringify(answer.body, null, 2));
    return answer;
  }
  const answer = await postSignedEvent(target, action.event);
  if (answer.status >= 200 && answer.status < 300) {
    print(`${action.event.type} ${action.event.id} accepted (${answer.status}): ${action.describe}`);
  }
  return answer;
}

async function main(): Promise<void> {
  let action: CliAction;
  try {
    action = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n(npm run demo:events -- --help lists the commands)\n`);
    process.exit(2);
  }
  if (action.kind === 'help') {
    print(helpText());
    return;
  }
  try {
    const answer = await run(action);
    if (answer.status < 200 || answer.status >= 300) {
      process.stderr.write(`the integration answered ${answer.status}: ${JSON.stringify(answer.body)}\n`);
      process.exit(1);
    }
  } catch (err) {
    const message =
      err instanceof CliUsageError
        ? err.message
        : `could not reach the integration: ${(err as Error).message}`;
    process.stderr.write(`error: ${message}\n`);
    process.exit(err instanceof CliUsageError ? 2 : 1);
  }
}

void main();
