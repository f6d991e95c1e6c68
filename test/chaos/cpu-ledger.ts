// CPU seconds each part of the chaos run used, read from /proc: on a 2-core machine the run is as
// good as the CPU left to the workers, and a killed worker's time would vanish with its process,
// so every process's last reading is kept after it ends.
import { readFileSync } from 'node:fs';
import { descendantsOf, sampleOf } from '../bench/process-stats';

/** What a process is, from its command line. */
export type CpuRole = 'Temporal dev server' | 'workers' | 'API' | 'simulator' | 'driver' | 'other';

function roleOf(pid: number): CpuRole {
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return 'other';
  }
  if (cmdline.includes('start-dev')) return 'Temporal dev server';
  if (cmdline.includes('worker-main.js')) return 'workers';
  if (cmdline.includes('api-main.js')) return 'API';
  if (cmdline.includes('simulator-main.js')) return 'simulator';
  return 'other';
}

export class CpuLedger {
  private readonly last = new Map<number, { role: CpuRole; cpuSeconds: number }>();
  private readonly driverAtStart = process.cpuUsage();
  private timer: NodeJS.Timeout | null = null;

  /** Reads every process below this one now, and then once a second. */
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  /** Reads every process below this one; call it just before a kill, so the victim's time counts. */
  sample(): void {
    for (const pid of descendantsOf(process.pid)) {
      const reading = sampleOf(pid);
      if (!reading) continue;
      const role = this.last.get(pid)?.role ?? roleOf(pid);
      this.last.set(pid, { role, cpuSeconds: reading.cpuSeconds });
    }
  }

  /** CPU seconds by role, over every process that ever ran, and the driver (this process). */
  totals(): { byRole: Partial<Record<CpuRole, number>>; processes: Partial<Record<CpuRole, number>> } {
    const byRole: Partial<Record<CpuRole, number>> = {};
    const processes: Partial<Record<CpuRole, number>> = {};
    for (const { role, cpuSeconds } of this.last.values()) {
      byRole[role] = (byRole[role] ?? 0) + cpuSeconds;
      processes[role] = (processes[role] ?? 0) + 1;
    }
    const driver = process.cpuUsage(this.driverAtStart);
    byRole.driver = (driver.user + driver.system) / 1e6;
    processes.driver = 1;
    return { byRole, processes };
  }
}
