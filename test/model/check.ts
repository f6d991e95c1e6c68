// The model test's driver: fast-check generates cases, each runs against the engine on the shared
// harness; a failure is shrunk (within a budget) and reported with its seed, its path, one line per
// step and what happened, so `--seed S --path P` replays exactly that case.
import fc from 'fast-check';
import type { ModelHarness } from './harness';
import { CaseFailure, count, runCase, type RunNotes } from './runner';
import {
  caseArb,
  describeStep,
  describeWorld,
  FEATURES,
  type Case,
  type Feature,
  type ScenarioOptions,
} from './scenario';

export interface ModelRunConfig {
  runs: number;
  seed?: number;
  path?: string;
  features: Set<Feature>;
  maxSteps: number;
  /** Cases tried while shrinking a failure, at most (each is a whole engine run). */
  shrinkBudget: number;
  /** Stop generating (and shrinking) after this long. */
  timeLimitMs?: number;
  /** A fresh test server and worker after this many cases (the test server keeps every history). */
  recycleEvery?: number;
  /** Print every case's trace, not only the failing one's. */
  verbose?: boolean;
  progress?: (line: string) => void;
}

export interface ModelRunReport {
  failed: boolean;
  /** Cases run (also those tried while shrinking) and how many of them ran clean. */
  casesRun: number;
  casesClean: number;
  seed: number;
  path: string | null;
  wallMs: number;
  /** The failure, readable; empty when nothing failed. */
  report: string;
  interrupted: boolean;
  notes: RunNotes;
}

/**
 * Runs a case; when the Temporal side got stuck (not a verdict about the engine), starts a fresh
 * test server and worker and runs the case again, twice at most.
 */
async function runWithRestarts(
  h: ModelHarness,
  value: Case,
  options: ScenarioOptions,
  caseNo: () => number,
  notes: RunNotes,
  progress: (line: string) => void,
  nextCaseNo: () => void,
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runCase(h, value, options, caseNo(), notes);
    } catch (err) {
      const stuck = err instanceof CaseFailure && err.stuck;
      if (!stuck || attempt >= 3) throw err;
      progress(
        `[model] case ${caseNo()}: ${err.message.split('\n')[0]}; restarting the test server and worker, then the case`,
      );
      count(notes, 'harness restarts (Temporal side stuck)');
      await h.restartTemporal();
      nextCaseNo();
    }
  }
}

export function defaultFeatures(): Set<Feature> {
  return new Set(FEATURES);
}

/** "--only a,b" / "--without a,b" / MODEL_FEATURES="a,b,-c" → the feature set. */
export function parseFeatures(only: string | undefined, without: string | undefined): Set<Feature> {
  const check = (names: string[]): Feature[] =>
    names.map((n) => {
      if (!(FEATURES as readonly string[]).includes(n))
        throw new Error(`unknown feature class "${n}"; known: ${FEATURES.join(', ')}`);
      return n as Feature;
    });
  const set = only ? new Set(check(only.split(',').filter(Boolean))) : defaultFeatures();
  if (without) for (const f of check(without.split(',').filter(Boolean))) set.delete(f);
  return set;
}

export function featureArgs(features: Set<Feature>): string {
  const off = FEATURES.filter((f) => !features.has(f));
  if (off.length === 0) return '';
  if (off.length > FEATURES.length / 2) return ` --only ${[...features].join(',')}`;
  return ` --without ${off.join(',')}`;
}

export async function runModelTest(h: ModelHarness, cfg: ModelRunConfig): Promise<ModelRunReport> {
  const options: ScenarioOptions = { features: cfg.features, maxSteps: cfg.maxSteps };
  const notes: RunNotes = { schemaRejects: new Map(), coverage: new Map() };
  const progress = cfg.progress ?? (() => undefined);
  const started = Date.now();
  let caseNo = 0;
  let clean = 0;
  let failures = 0;
  let shrinkTries = 0;
  let last: { value: Case; error: CaseFailure } | null = null;
  let lastProgress = started;

  // fast-check's time limit abandons the case it cuts short without stopping it: the case goes on
  // reading the engine. It is awaited before the report, so the harness is not torn down under it.
  let inFlight: Promise<unknown> | null = null;
  const property = fc.asyncProperty(caseArb(options), (value) => {
    const run = runOne(value);
    inFlight = run.catch(() => undefined);
    return run;
  });
  const runOne = async (value: Case): Promise<boolean> => {
    if (failures > 0) {
      if (shrinkTries >= cfg.shrinkBudget) fc.pre(false); // out of budget: keep what we have
      shrinkTries++;
    }
    caseNo++;
    if (cfg.recycleEvery && caseNo > 1 && (caseNo - 1) % cfg.recycleEvery === 0) await h.restartTemporal();
    try {
      const trace = await runWithRestarts(
        h,
        value,
        options,
        () => caseNo,
        notes,
        progress,
        () => caseNo++,
      );
      clean++;
      if (cfg.verbose)
        progress([`case ${caseNo} clean`, ...describeCase(value, options), ...trace].join('\n'));
    } catch (err) {
      const failure = err instanceof CaseFailure ? err : new CaseFailure(String(err), []);
      failures++;
      last = { value, error: failure };
      progress(
        `[model] case ${caseNo} FAILED${failures > 1 ? ` (shrinking: ${shrinkTries}/${cfg.shrinkBudget} tries)` : ''}: ${failure.message.split('\n')[0]}`,
      );
      throw failure;
    }
    const now = Date.now();
    if (now - lastProgress > 10_000 || caseNo % 25 === 0) {
      lastProgress = now;
      progress(
        `[model] ${caseNo} cases${failures > 0 ? ` (shrinking ${shrinkTries}/${cfg.shrinkBudget})` : `/${cfg.runs}`}, ${clean} clean, ${((now - started) / 1000).toFixed(0)} s`,
      );
    }
    return true;
  };

  const details = await fc.check(property, {
    numRuns: cfg.runs,
    ...(cfg.seed !== undefined ? { seed: cfg.seed } : {}),
    ...(cfg.path !== undefined ? { path: cfg.path } : {}),
    ...(cfg.timeLimitMs !== undefined
      ? { interruptAfterTimeLimit: cfg.timeLimitMs, markInterruptAsFailure: false }
      : {}),
    maxSkipsPerRun: 1_000_000,
  });

  const failuresBeforeLimit = failures;
  const cut = inFlight as Promise<unknown> | null; // assigned inside the property
  if (details.interrupted && cut) {
    progress(`[model] the time limit came during case ${caseNo}: letting it finish`);
    await cut;
  }
  const wallMs = Date.now() - started;
  // A divergence found by the case the limit cut short is still a divergence (not shrunk).
  // fast-check fails a run whose limit came before any case ended; the cut case may have ended since.
  const found = last as { value: Case; error: CaseFailure } | null;
  const limitOnly = details.interrupted && found === null;
  const failed = limitOnly ? clean === 0 : details.failed || failures > failuresBeforeLimit;
  let report = '';
  if (failed && limitOnly) {
    report = `\nthe time limit (${(cfg.timeLimitMs ?? 0) / 1000} s) came before any case ended: nothing was checked\n`;
  } else if (failed) {
    const value = details.counterexample?.[0] ?? found?.value;
    const error = found?.error;
    const replay = `npm run test:model -- --seed ${details.seed} --path ${details.counterexamplePath ?? ''}${featureArgs(cfg.features)}${cfg.maxSteps !== 24 ? ` --steps ${cfg.maxSteps}` : ''}`;
    report = [
      '',
      '══════ model test: the engine disagrees with the model ══════',
      `seed ${details.seed}, path ${details.counterexamplePath ?? '(none)'}, after ${details.numRuns} case(s) and ${details.numShrinks} shrink(s)`,
      `replay: ${replay}`,
      `  (or MODEL_SEED=${details.seed} MODEL_PATH=${details.counterexamplePath ?? ''} npm test -- model/)`,
      '',
      'shrunk case:',
      ...(value ? describeCase(value, options).map((l) => `  ${l}`) : ['  (none)']),
      '',
      `the same case as JSON (replays even after the generators change: npm run test:model -- --case '<json>'${featureArgs(cfg.features)}):`,
      `  ${value ? JSON.stringify(value) : '(none)'}`,
      '',
      'what failed:',
      ...(error
        ? error.message.split('\n').map((l) => `  ${l}`)
        : [details.errorInstance instanceof Error ? details.errorInstance.message : 'unknown error']),
      '',
      'what ran (server time since the case start):',
      ...(error ? error.trace.map((l) => `  ${l}`) : []),
      '',
    ].join('\n');
  }
  return {
    failed,
    casesRun: caseNo,
    casesClean: clean,
    seed: details.seed,
    path: details.counterexamplePath ?? null,
    wallMs,
    report,
    interrupted: details.interrupted,
    notes,
  };
}

/** Runs one given case (from a failure report's JSON) as it is, without fast-check. */
export async function runOneCase(h: ModelHarness, c: Case, cfg: ModelRunConfig): Promise<ModelRunReport> {
  const options: ScenarioOptions = { features: cfg.features, maxSteps: cfg.maxSteps };
  const notes: RunNotes = { schemaRejects: new Map(), coverage: new Map() };
  const started = Date.now();
  let report = '';
  let failed = false;
  const progress = cfg.progress ?? (() => undefined);
  let caseNo = 1;
  try {
    // A stuck test server is no verdict about the engine: as in a random run, start it afresh.
    const trace = await runWithRestarts(
      h,
      c,
      options,
      () => caseNo,
      notes,
      progress,
      () => caseNo++,
    );
    if (cfg.verbose) cfg.progress?.([...describeCase(c, options), ...trace].join('\n'));
  } catch (err) {
    failed = true;
    const failure = err instanceof CaseFailure ? err : new CaseFailure(String(err), []);
    report = [
      '',
      '══════ model test: the engine disagrees with the model ══════',
      'case:',
      ...describeCase(c, options).map((l) => `  ${l}`),
      '',
      'what failed:',
      ...failure.message.split('\n').map((l) => `  ${l}`),
      '',
      'what ran (server time since the case start):',
      ...failure.trace.map((l) => `  ${l}`),
      '',
    ].join('\n');
  }
  return {
    failed,
    casesRun: 1,
    casesClean: failed ? 0 : 1,
    seed: 0,
    path: null,
    wallMs: Date.now() - started,
    report,
    interrupted: false,
    notes,
  };
}

export function describeCase(c: Case, o: ScenarioOptions): string[] {
  return [
    ...describeWorld(c.world, o),
    'steps:',
    ...c.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${describeStep(s, c.world, o)}`),
  ];
}

export function describeCoverage(notes: RunNotes): string[] {
  const rows = [...notes.coverage].sort(([a], [b]) => a.localeCompare(b));
  return [
    'coverage (checkpoints that saw it / steps that took effect):',
    ...rows.map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`),
  ];
}

export function describeNotes(notes: RunNotes): string[] {
  if (notes.schemaRejects.size === 0) return [];
  return [
    'note: the API schema (src/api/deskworks-events.ts) answers 400 to these contract-valid events (delivered here through deliveryFor anyway):',
    ...[...notes.schemaRejects].map(([k, n]) => `  ${n}× ${k}`),
  ];
}
