import { PatchbayError } from '@patchbay/core'

/**
 * A JSON body that must be an object; a missing body reads as `{}`.
 * @throws {PatchbayError} VALIDATION naming `what` for an array or a scalar.
 */
export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new PatchbayError('VALIDATION', `The ${what} body must be a JSON object; got ${Array.isArray(body) ? 'an array' : typeof body}`)
  }
  return body as Record<string, unknown>
}

/**
 * An integer field or query parameter from `min` to `max`, `fallback` when absent.
 * @throws {PatchbayError} VALIDATION naming `name` and the range.
 */
export function int(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return fallback
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new PatchbayError('VALIDATION', `${name} must be an integer from ${min} to ${max}`)
  }
  return n
}

/** The base of absolute URLs the hub hands out: the configured public URL, else this request's origin. */
export function baseUrlOf(publicUrl: () => string | undefined, req: { readonly protocol: string; readonly host: string }): string {
  return publicUrl() ?? `${req.protocol}://${req.host}`
}

/** Reads the API key from `x-api-key`, or `Authorization: Token <key>` (or `Bearer <key>`). */
export function apiKeyOf(headers: { readonly [name: string]: string | string[] | undefined }): string | undefined {
  const header = headers['x-api-key']
  if (typeof header === 'string' && header) return header.trim()
  const auth = headers['authorization']
  if (typeof auth === 'string' && auth) {
    const m = /^(?:Token|Bearer)\s+(.+)$/i.exec(auth.trim())
    if (m) return (m[1] as string).trim()
  }
  return undefined
}
