/**
 * Reads the value at a dotted path (`installation.id`, `results.0.id`) in parsed JSON; an empty
 * path is the value itself. Answers `undefined` when any step is missing. Own properties only, so
 * a path such as `__proto__.x` or `constructor` finds nothing.
 *
 * @example
 * ```ts
 * valueAt({ event: { type: 'message' } }, 'event.type') // 'message'
 * ```
 */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value
  let current = value
  for (const step of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, step)) return undefined
    current = (current as Record<string, unknown>)[step]
  }
  return current
}
