// `npm run test:model -- [options]`: many model-test cases in one process (scripts/test-model.mjs
// runs this file from dist/). Options also come from the environment (MODEL_RUNS, MODEL_SEED, …).
import { ModelHarness } from './harness';
import { existsSync, readFileSync } from 'node:fs';
import {
  describeCoverage,
  describeNotes,
  parseFeatures,
  runModelTest,
  runOneCase,
  type ModelRunConfig,
} from './check';
import type { Case } from './scenario';
import { FEATURE_HELP, FEATURES } from './scenario';

export interface CliSettings {
  runs: number;
  seed?: number;
  path?: string;
  only?: string;
  without?: string;
  steps: number;
  shrink: number;
  timeLimitS?: number;
  verbose: boolean;
  stats: boolean;
  recycle: number;
  fullJit: boolean;
  /** One case as JSON (or a file holding it), replayed as it is. */
  case?: string;
  help: boolean;
}

const HELP = `Model-based random test of the engine (rules 1–7) on the time-skipping server.

  --runs N          cases to run (default 200; env MODEL_RUNS)
  --seed S          fast-check seed (env MODEL_SEED); with --path, replays one case
  --path P          counterexample path printed by a failure (env MODEL_PATH)
  --case JSON|FILE  replay the case a failure printed as JSON, as it is (survives generator changes)
  --steps N         at most N steps per case (default 24; env MODEL_STEPS)
  --only a,b        only these feature classes (env MODEL_ONLY)
  --without a,b     all feature classes but these (env MODEL_WITHOUT)
  --shrink N        cases tried while shrinking a failure (default 300, or 0 with --path; env MODEL_SHRINK)
  --time-limit S    stop after S seconds (env MODEL_TIME_LIMIT)
  --verbose         print every case's trace
  --stats           print what the checkpoints saw and which steps took effect (coverage)
  --recycle N       a fresh test server and worker every N cases (default 100; 0 = never; env MODEL_RECYCLE)
  --no-full-jit     start the test server with the project's launcher as is (C1 only; env MODEL_FULL_JIT=0)
  --help

Feature classes:
${FEATURES.map((f) => `  ${f.padEnd(14)}${FEATURE_HELP[f]}`).join('\n')}
`;

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliSettings {
  const num = (v: string | undefined): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
    return n;
  };
  const settings: CliSettings = {
    runs: num(env.MODEL_RUNS) ?? 200,
    ...(num(env.MODEL_SEED) !== undefined ? { seed: num(env.MODEL_SEED)! } : {}),
    ...(env.MODEL_PATH ? { path: env.MODEL_PATH } : {}),
    ...(env.MODEL_ONLY ? { only: env.MODEL_ONLY } : {}),
    ...(env.MODEL_WITHOUT ? { without: env.MODEL_WITHOUT } : {}),
    steps: num(env.MODEL_STEPS) ?? 24,
    shrink: num(env.MODEL_SHRINK) ?? -1,
    ...(num(env.MODEL_TIME_LIMIT) !== undefined ? { timeLimitS: num(env.MODEL_TIME_LIMIT)! } : {}),
    verbose: Boolean(env.MODEL_VERBOSE),
    stats: Boolean(env.MODEL_STATS),
    recycle: num(env.MODEL_RECYCLE) ?? 100,
    fullJit: env.MODEL_FULL_JIT !== '0',
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--runs':
        settings.runs = num(value())!;
        break;
      case '--seed':
        settings.seed = num(value())!;
        break;
      case '--path':
        settings.path = value();
        break;
      case '--steps':
        settings.steps = num(value())!;
        break;
      case '--only':
        settings.only = value();
        break;
      case '--without':
        settings.without = value();
        break;
      case '--shrink':
        settings.shrink = num(value())!;
        break;
      case '--time-limit':
        settings.timeLimitS = num(value())!;
        break;
      case '--verbose':
        settings.verbose = true;
        break;
      case '--stats':
        settings.stats = true;
        break;
      case '--recycle':
        settings.recycle = num(value())!;
        break;
      case '--no-full-jit':
        settings.fullJit = false;
        break;
      case '--case':
        settings.case = value();
        break;
      case '--help':
      case '-h':
        settings.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (try --help)`);
    }
  }
  // A replay (--path) runs that one case and, unless asked, shrinks no further.
  if (settings.shrink < 0) settings.shrink = settings.path ? 0 : 300;
  if (settings.path) settings.runs = 1;
  return settings;
}

export function configFrom(s: CliSettings, progress: (line: string) => void): ModelRunConfig {
  return {
    runs: s.runs,
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    ...(s.path !== undefined ? { path: s.path } : {}),
    features: parseFeatures(s.only, s.without),
    maxSteps: s.steps,
    shrinkBudget: s.shrink,
    ...(s.timeLimitS !== undefined ? { timeLimitMs: s.timeLimitS * 1000 } : {}),
    verbose: s.verbose,
    recycleEvery: s.recycle,
    progress,
  };
}

function readCase(text: string): Case {
  const json = text.trim().startsWith('{') ? text : readFileSync(text, 'utf8');
  if (!json.trim().startsWith('{') && !existsSync(text))
    throw new Error(`--case: neither JSON nor a file: ${text}`);
  return JSON.parse(json) as Case;
}

export async function main(): Promise<number> {
  let settings: CliSettings;
  try {
    settings = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 2;
  }
  if (settings.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const config = configFrom(settings, print);
  print(
    `[model] ${config.path || settings.case ? 'replaying one case' : `${config.runs} cases`}, at most ${config.maxSteps} steps each; features: ${[...config.features].join(', ') || 'none'}`,
  );
  const started = Date.now();
  const harness = await ModelHarness.start({ fullJit: settings.fullJit });
  print(`[model] engine up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let failed = true;
  try {
    const result = settings.case
      ? await runOneCase(harness, readCase(settings.case), config)
      : await runModelTest(harness, config);
    failed = result.failed;
    if (result.report) print(result.report);
    if (settings.stats) for (const line of describeCoverage(result.notes)) print(line);
    for (const line of describeNotes(result.notes)) print(line);
    print(
      `[model] ${result.casesRun} cases run, ${result.casesClean} clean${result.interrupted ? ' (stopped by the time limit)' : ''}; ` +
        `${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${result.seed})`,
    );
  } finally {
    await harness.stop();
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
