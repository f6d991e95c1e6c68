// node:test's describe/it/before/after for the browser suites, so that without Chromium they still
// count: each test is reported as skipped with the reason (a skipped `describe` alone would make
// its tests vanish from the summary), and under CI=true each one fails instead, so CI can never
// pass without running them. The hooks do not run then: they would start a stack for nothing.
import assert from 'node:assert/strict';
import * as nodeTest from 'node:test';
import { skipWithoutChromium } from './browser';

type Hook = typeof nodeTest.before;
type TestFn = (name: string, fn: nodeTest.TestFn) => Promise<void>;

const missing = skipWithoutChromium;
const inCi = /^(1|true)$/i.test(process.env.CI ?? '');

export const describe = nodeTest.describe;

export const before: Hook = missing ? () => undefined : nodeTest.before;
export const after: Hook = missing ? () => undefined : nodeTest.after;

export const it: TestFn = (name, fn) => {
  if (missing === false) return nodeTest.it(name, fn);
  if (inCi) return nodeTest.it(name, () => assert.fail(`CI=true and ${missing}`));
  return nodeTest.it(name, { skip: missing }, () => undefined);
};
