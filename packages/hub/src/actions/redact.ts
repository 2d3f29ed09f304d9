/**
 * Replaces every occurrence of a sensitive string: a service echoing a credential must not leak it.
 *
 * @example
 * ```ts
 * redact('token=s3cret-value', ['s3cret-value']) // 'token=[REDACTED]'
 * ```
 */
export function redact(text: string, sensitive: readonly string[]): string {
  let out = text
  for (const s of sensitive) if (out.includes(s)) out = out.split(s).join('[REDACTED]')
  return out
}

/** A response's headers as strings (multi-valued ones comma-joined), each value {@link redact}ed. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>, sensitive: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = redact(Array.isArray(v) ? v.join(', ') : v, sensitive)
  return out
}
