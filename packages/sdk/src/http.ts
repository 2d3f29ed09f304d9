/**
 * The one place the SDK touches the network: headers of §2.1, JSON bodies, tolerant parsing.
 *
 * @see ../../../shared/spec/aixplain-wire-contract.md §2.1
 */
import type { ResolvedConfig } from './config.js'

/** A response read to the end: status, raw text, and the JSON value when the text was JSON. */
export interface HttpResult {
  readonly status: number
  readonly ok: boolean
  readonly text: string
  /** The parsed JSON body, or `undefined` when the body was empty or not JSON. */
  readonly body: unknown
  /** Whether the body parsed as JSON. */
  readonly isJson: boolean
}

/** Headers for backend reads and deletes (`sdk/models/…`): `Authorization: Token <K>`. */
export function backendHeaders(apiKey: string): Record<string, string> {
  return { Authorization: `Token ${apiKey}`, 'Content-Type': 'application/json' }
}

/** Headers for execute and poll calls: `x-api-key: <K>`. */
export function executeHeaders(apiKey: string): Record<string, string> {
  return { 'x-api-key': apiKey, 'Content-Type': 'application/json' }
}

/** Joins a base URL (no trailing slash) and a relative path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`
}

/**
 * Sends one request and reads the whole body. Rejects only when the transport fails (the
 * `fetch` promise rejects or the body cannot be read); any HTTP status resolves.
 */
export async function sendRequest(config: ResolvedConfig, method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown): Promise<HttpResult> {
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = JSON.stringify(body)
  const response = await config.fetch(url, init)
  const text = await response.text()
  let parsed: unknown
  let isJson = false
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text)
      isJson = true
    } catch {
      parsed = undefined
    }
  }
  return { status: response.status, ok: response.status >= 200 && response.status < 300, text, body: parsed, isJson }
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A short text for an error message: the body as JSON, else the raw text. */
export function describeBody(result: HttpResult): string {
  const text = result.isJson ? JSON.stringify(result.body) : result.text.trim()
  if (text === '') return '(empty body)'
  // An HTML error page from a proxy can be long; the start says enough.
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}
