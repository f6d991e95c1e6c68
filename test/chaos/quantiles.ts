// The p50, p90, p99 and max of a chaos run's figures (0 for none): each the value at that share of the
// sorted list, no interpolation.
export function quantiles(values: readonly number[]): { p50: number; p90: number; p99: number; max: number } {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1)! };
}
