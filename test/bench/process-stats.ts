// CPU time and memory of this process and of the Temporal server it started (a child process),
// read from /proc: what "idle cost" means on Linux, without extra packages.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS = 100;

export interface ProcessSample {
  pid: number;
  name: string;
  cpuSeconds: number;
  rssBytes: number;
}

function sampleOf(pid: number): ProcessSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) … utime(11) stime(12) … rss pages(21)
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
    const rssBytes = Number(fields[21]) * 4096;
    return { pid, name, cpuSeconds, rssBytes };
  } catch {
    return null; // not Linux, or the process ended
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** This process, and its descendants whose name starts with `prefix` (e.g. the `temporal` dev server). */
export function sampleProcesses(prefix: string): { self: ProcessSample | null; children: ProcessSample[] } {
  const self = sampleOf(process.pid);
  const children: ProcessSample[] = [];
  let pids: number[] = [];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return { self, children };
  }
  for (const pid of pids) {
    try {
      let parent = parentOf(pid);
      for (let depth = 0; depth < 4 && parent > 1 && parent !== process.pid; depth++)
        parent = parentOf(parent);
      if (parent !== process.pid) continue;
      const sample = sampleOf(pid);
      if (sample && sample.name.startsWith(prefix)) children.push(sample);
    } catch {
      // ended while we looked
    }
  }
  return { self, children };
}
