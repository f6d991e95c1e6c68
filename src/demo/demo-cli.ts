// The demo:events command line: help text and parsing into what to do. Every rejection names the
// argument; demo-commands.ts holds the commands, demo-events-main.ts does the I/O.
import { parseArgs } from 'node:util';
import type { DeskworksEvent } from '../api/deskworks-events';
import { CliUsageError, urlArgument } from './cli-values';
import { COMMANDS, text, type CommandSpec, type Values } from './demo-commands';

export type CliAction =
  | { kind: 'help' }
  | { kind: 'event'; event: DeskworksEvent; describe: string; apiUrl: string | null }
  | { kind: 'status'; personId: string; apiUrl: string | null };

export function helpText(): string {
  const lines = [
    'Sends signed Deskworks events to the running integration (npm start), as Deskworks would.',
    '',
    'Usage: npm run demo:events -- <command> [arguments] [--api-url URL]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).flatMap(([name, spec]) => [
      `  ${name} ${spec.usage}`,
      `      ${spec.summary}`,
    ]),
    '',
    "CENTER is berlin, brooklyn or a center id; dates are YYYY-MM-DD in the center's time zone.",
    'Products: p-hot-desk, p-private-office (Berlin), p-studio (Brooklyn). Units: u-meeting-room-spree (Berlin), u-studio (Brooklyn).',
    '',
    'Environment: DEMO_API_URL (default http://localhost:$PORT, PORT default 3000), DESKWORKS_WEBHOOK_SECRET and',
    'ADMIN_TOKEN (default: the ones `npm start` keeps in data/demo-secrets.json).',
  ];
  return lines.join('\n');
}

/** `--in-minutes -5` as `--in-minutes=-5`: parseArgs would read `-5` as an option of its own. */
function joinNegativeNumbers(args: string[], options: Record<string, 'string' | 'boolean'>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    if (
      /^--[\w-]+$/.test(arg) &&
      options[arg.slice(2)] === 'string' &&
      next !== undefined &&
      /^-\d/.test(next)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

function parseCommandArguments(
  name: string,
  spec: CommandSpec,
  args: string[],
): { positionals: string[]; values: Values } {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, 'api-url': 'string' as const }).map(([key, type]) => [key, { type }]),
  );
  try {
    const parsed = parseArgs({
      args: joinNegativeNumbers(args, spec.options),
      options,
      strict: true,
      allowPositionals: true,
    });
    return { positionals: parsed.positionals, values: parsed.values };
  } catch (err) {
    // Node's messages name the option but not the command; say both, and what the command takes.
    const { code, message } = err as Error & { code?: string };
    const option = /'(--?[\w-]+)/.exec(message)?.[1] ?? '';
    const problem =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option ${option}`
        : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option
          ? `option ${option} ${spec.options[option.replace(/^-+/, '')] === 'boolean' ? 'takes no value' : 'needs a value'}`
          : message;
    throw new CliUsageError(`${name}: ${problem}; usage: ${name} ${spec.usage}`);
  }
}

/** Turns the command line (after `--`) into what to do; throws CliUsageError naming the bad argument. */
export function parseCommandLine(argv: string[], nowMs: number = Date.now()): CliAction {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return { kind: 'help' };
  const spec = COMMANDS[name];
  if (!spec)
    throw new CliUsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help' };
  const { positionals, values } = parseCommandArguments(name, spec, rest);
  if (positionals.length !== spec.positionals.length) {
    const missing = spec.positionals.slice(positionals.length);
    throw new CliUsageError(
      missing.length > 0
        ? `${name} needs ${missing.join(' and ')}; usage: ${name} ${spec.usage}`
        : `${name} takes ${spec.positionals.length || 'no'} plain argument(s), got unexpected "${positionals.slice(spec.positionals.length).join(' ')}"`,
    );
  }
  const apiUrlText = text(values, 'api-url');
  const apiUrl = apiUrlText === undefined ? null : urlArgument('--api-url', apiUrlText);
  const built = spec.build(positionals, values, nowMs);
  return 'personId' in built
    ? { kind: 'status', personId: built.personId, apiUrl }
    : { kind: 'event', ...built, apiUrl };
}
