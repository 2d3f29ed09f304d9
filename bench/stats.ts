/** The p-th percentile (0–100) of ascending `sorted` values, by linear interpolation; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (b - a) * (rank - lo)
}

/** The median of `values` (any order); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

/** Rounds to `digits` significant digits, keeping integers of any size whole. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value
  if (Math.abs(value) >= 10 ** digits) return Math.round(value)
  return Number(value.toPrecision(digits))
}
