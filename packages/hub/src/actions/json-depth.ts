/**
 * How deep a JSON value nests, measured without recursion (a 10,000-deep value must not overflow
 * the stack here, nor later in JSON.stringify, Fastify's serializer or the run store).
 */
import { PatchbayError } from '@patchbay/core'
import { MAX_JSON_DEPTH } from '../limits.js'

/**
 * The nesting depth of a parsed JSON value (a scalar is 0, `[1]` is 1), counted up to `stopAt`.
 *
 * @example
 * ```ts
 * jsonDepth({ a: [1] }) // 2
 * ```
 */
export function jsonDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (node === null || typeof node !== 'object') continue
    const d = depth + 1
    if (d > max) max = d
    if (max > stopAt) return max
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, d])
  }
  return max
}

/**
 * Refuses an input nested deeper than {@link MAX_JSON_DEPTH} with a 400 naming it.
 *
 * @throws {PatchbayError} VALIDATION naming the input and the limit.
 */
export function checkInputDepth(value: unknown, name: string, limit = MAX_JSON_DEPTH): void {
  if (jsonDepth(value, limit) > limit) {
    throw new PatchbayError('VALIDATION', `${name} is nested more than ${limit} levels deep; send a flatter value (the hub accepts at most ${limit} levels of arrays and objects)`)
  }
}
