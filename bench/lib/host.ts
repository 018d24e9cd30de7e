// How much of the run this virtual machine's CPUs spent elsewhere: Linux counts time the
// hypervisor ran another guest on our vCPU as "steal" in /proc/stat. A slow spell with no
// steal points at contention the counter cannot see (shared caches, memory bandwidth).

import { readFileSync } from 'node:fs';

export interface CpuTimes {
  /** Jiffies of every state, summed over the CPUs. */
  total: number;
  steal: number;
}

/** The aggregate CPU line of /proc/stat, or null where there is none (not Linux). */
export function cpuTimes(): CpuTimes | null {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** The aggregate `cpu ` line of a /proc/stat text, or null if it has none. */
export function parseCpuTimes(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return null;
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] };
}

/** Stolen share of all CPU time between two readings, or null if either is missing. */
export function stolenShare(from: CpuTimes | null, to: CpuTimes | null): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return (to.steal - from.steal) / (to.total - from.total);
}
