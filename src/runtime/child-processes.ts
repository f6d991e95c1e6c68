// Runs the parts of `npm start` as child processes with labelled, coloured log lines, and stops
// them in reverse order on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const colours = [36, 35, 33, 32, 34];
let nextColour = 0;

export interface Part {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export function startPart(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Part {
  const colour = colours[nextColour++ % colours.length]!;
  const label = process.stdout.isTTY ? `\x1b[${colour}m[${name}]\x1b[0m` : `[${name}]`;
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label} ${line}\n`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}

export async function stopParts(parts: Part[], graceMs = 10_000): Promise<void> {
  for (const part of [...parts].reverse()) {
    if (part.child.exitCode !== null || part.child.signalCode !== null) continue;
    part.child.kill('SIGTERM');
    const timer = setTimeout(() => part.child.kill('SIGKILL'), graceMs);
    await part.exited;
    clearTimeout(timer);
  }
}
