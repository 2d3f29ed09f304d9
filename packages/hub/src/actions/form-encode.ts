/**
 * Form encoding with bracket notation for nested values (`metadata[k]=v`, `items[0][price]=…`),
 * as Stripe and others expect.
 *
 * @example
 * ```ts
 * formEncode({ metadata: { k: 'v' }, items: [{ price: 1 }] }).toString()
 * // 'metadata%5Bk%5D=v&items%5B0%5D%5Bprice%5D=1'
 * ```
 */
export function formEncode(value: unknown): URLSearchParams {
  const params = new URLSearchParams()
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined || v === null) return
    if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}[${i}]`, x))
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(prefix ? `${prefix}[${k}]` : k, x)
    else params.append(prefix, String(v))
  }
  walk('', value)
  return params
}
