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

/** A /proc stat line's fields after the name: state(0) ppid(1) … utime(11) stime(12) … rss pages(21). */
const fieldsAfterName = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
const cpuSecondsOf = (fields: string[]): number => (Number(fields[11]) + Number(fields[12])) / TICKS;

export function sampleOf(pid: number): ProcessSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = fieldsAfterName(stat);
    const rssBytes = Number(fields[21]) * 4096;
    return { pid, name, cpuSeconds: cpuSecondsOf(fields), rssBytes };
  } catch {
    return null; // not Linux, or the process ended
  }
}

/**
 * CPU seconds of the calling thread (/proc/thread-self), or null off Linux: a process's figure
 * cannot tell the API's event loop from a sender thread or the garbage collector's helpers.
 */
export function threadCpuSeconds(): number | null {
  try {
    return cpuSecondsOf(fieldsAfterName(readFileSync('/proc/thread-self/stat', 'utf8')));
  } catch {
    return null;
  }
}

function parentOf(pid: number): number {
  return Number(fieldsAfterName(readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]);
}

/** The processes below `root` (up to five levels down), as /proc lists them now; [] off Linux. */
export function descendantsOf(root: number): number[] {
  let pids: number[] = [];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
  return pids.filter((pid) => {
    try {
      let parent = parentOf(pid);
      for (let depth = 0; depth < 4 && parent > 1 && parent !== root; depth++) parent = parentOf(parent);
      return parent === root;
    } catch {
      return false; // ended while we looked
    }
  });
}

/** This process, and its descendants whose name starts with `prefix` (e.g. the `temporal` dev server). */
export function sampleProcesses(prefix: string): { self: ProcessSample | null; children: ProcessSample[] } {
  const children = descendantsOf(process.pid)
    .map(sampleOf)
    .filter((s): s is ProcessSample => s !== null && s.name.startsWith(prefix));
  return { self: sampleOf(process.pid), children };
}
