// `node dist/src/build-workflow-bundle.js [file]`: bundles the workflow code once (the production
// image runs it at build time), so workers started with WORKFLOW_BUNDLE_PATH=<file> skip webpack.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildWorkflowBundleCode } from './runtime/workflow-code';

async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const started = Date.now();
  const code = await buildWorkflowBundleCode();
  await writeFile(target, code);
  process.stdout.write(
    `workflow bundle written to ${target} (${Math.round(code.length / 1024)} KiB in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bundling the workflow code failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
