import { createHmac, timingSafeEqual } from 'node:crypto'
import type { SignatureScheme, WebhookSignatureDefinition } from '@patchbay/core'

/** Replay tolerance of the timestamped schemes when a definition sets none (seconds). */
export const DEFAULT_TOLERANCE_SECONDS = 300

/** Request headers as Node and Fastify hand them over (names in any case). */
export type InboundHeaders = Record<string, string | string[] | undefined>

/** An inbound delivery: its headers and the raw body bytes exactly as received. */
export interface InboundDelivery {
  headers: InboundHeaders
  body: Buffer | string
}

/** The outcome of {@link verifySignature}; `reason` says what to fix and never holds the secret. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string }

/** Reads a header case-insensitively; a repeated header yields its first value. */
export function headerOf(headers: InboundHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

function hmac(key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac('sha256', key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}

/** Constant-time comparison of an expected digest with a received encoding of one. */
function sameDigest(expected: Buffer, received: string, encoding: 'hex' | 'base64'): boolean {
  if (encoding === 'hex' && !/^[0-9a-fA-F]+$/.test(received)) return false
  const got = Buffer.from(received, encoding)
  return got.length === expected.length && timingSafeEqual(got, expected)
}

function fresh(timestamp: string | undefined, toleranceSeconds: number, nowMs: number): SignatureCheck {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'the signature timestamp is missing or not a number of seconds' }
  const skew = Math.abs(nowMs / 1000 - Number(timestamp))
  if (skew > toleranceSeconds) return { ok: false, reason: `the signature timestamp is ${Math.round(skew)} s away from now, outside the ${toleranceSeconds} s tolerance` }
  return { ok: true }
}

const BAD: SignatureCheck = { ok: false, reason: 'the signature does not match the body' }

/** HMAC-SHA256 of the raw body, hex, after `prefix` in `header` (GitHub's `X-Hub-Signature-256: sha256=…`). */
function verifyHmac(def: WebhookSignatureDefinition, secret: string, delivery: InboundDelivery): SignatureCheck {
  const header = def.header ?? 'X-Hub-Signature-256'
  const value = headerOf(delivery.headers, header)
  if (value === undefined) return { ok: false, reason: `the ${header} header is missing` }
  const prefix = def.prefix ?? ''
  if (!value.startsWith(prefix)) return { ok: false, reason: `the ${header} header must start with ${JSON.stringify(prefix)}` }
  return sameDigest(hmac(secret, delivery.body), value.slice(prefix.length), 'hex') ? { ok: true } : BAD
}

/** Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=…]`, HMAC over `{t}.{body}` with the `whsec_` secret. */
function verifyStripe(def: WebhookSignatureDefinition, secret: string, delivery: InboundDelivery, nowMs: number): SignatureCheck {
  const value = headerOf(delivery.headers, 'Stripe-Signature')
  if (value === undefined) return { ok: false, reason: 'the Stripe-Signature header is missing' }
  const pairs = value.split(',').map((p) => p.trim().split('=') as [string, string | undefined])
  const t = pairs.find(([k]) => k === 't')?.[1]
  const v1 = pairs.filter(([k, v]) => k === 'v1' && v !== undefined).map(([, v]) => v as string)
  if (v1.length === 0) return { ok: false, reason: 'the Stripe-Signature header has no v1= signature' }
  const time = fresh(t, def.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, nowMs)
  if (!time.ok) return time
  const expected = hmac(secret, `${t}.`, delivery.body)
  // Every v1 is compared (no early exit on the first match), so timing says nothing about which one matched.
  let match = false
  for (const candidate of v1) match = sameDigest(expected, candidate, 'hex') || match
  return match ? { ok: true } : BAD
}

/** Slack: `X-Slack-Signature: v0=<hex>` over `v0:{X-Slack-Request-Timestamp}:{body}`. */
function verifySlack(def: WebhookSignatureDefinition, secret: string, delivery: InboundDelivery, nowMs: number): SignatureCheck {
  const value = headerOf(delivery.headers, 'X-Slack-Signature')
  if (value === undefined) return { ok: false, reason: 'the X-Slack-Signature header is missing' }
  if (!value.startsWith('v0=')) return { ok: false, reason: 'the X-Slack-Signature header must start with "v0="' }
  const timestamp = headerOf(delivery.headers, 'X-Slack-Request-Timestamp')
  const time = fresh(timestamp, def.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, nowMs)
  if (!time.ok) return time
  return sameDigest(hmac(secret, `v0:${timestamp}:`, delivery.body), value.slice(3), 'hex') ? { ok: true } : BAD
}

/** The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`. */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64')
}

/** Standard Webhooks: `webhook-signature: v1,<base64> …` over `{webhook-id}.{webhook-timestamp}.{body}`. */
function verifyStandard(def: WebhookSignatureDefinition, secret: string, delivery: InboundDelivery, nowMs: number): SignatureCheck {
  const id = headerOf(delivery.headers, 'webhook-id')
  const timestamp = headerOf(delivery.headers, 'webhook-timestamp')
  const signatures = headerOf(delivery.headers, 'webhook-signature')
  if (id === undefined || signatures === undefined) return { ok: false, reason: 'the webhook-id, webhook-timestamp and webhook-signature headers are required' }
  const time = fresh(timestamp, def.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, nowMs)
  if (!time.ok) return time
  const expected = hmac(standardWebhooksKey(secret), `${id}.${timestamp}.`, delivery.body)
  let match = false
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',', 2)
    if (version === 'v1' && signature !== undefined) match = sameDigest(expected, signature, 'base64') || match
  }
  return match ? { ok: true } : BAD
}

/**
 * Verifies an inbound delivery against its trigger's signature definition, in constant time, with
 * the replay tolerance of the timestamped schemes (Stripe, Slack, Standard Webhooks). `none` always
 * passes: such a trigger is only reachable through its unguessable URL.
 *
 * @example
 * ```ts
 * const check = verifySignature({ scheme: 'hmac-sha256', header: 'X-Hub-Signature-256', prefix: 'sha256=' }, secret, { headers, body })
 * if (!check.ok) reply.code(401).send({ error: check.reason })
 * ```
 */
export function verifySignature(def: WebhookSignatureDefinition, secret: string, delivery: InboundDelivery, nowMs: number = Date.now()): SignatureCheck {
  switch (def.scheme) {
    case 'hmac-sha256':
      return verifyHmac(def, secret, delivery)
    case 'stripe':
      return verifyStripe(def, secret, delivery, nowMs)
    case 'slack':
      return verifySlack(def, secret, delivery, nowMs)
    case 'standard-webhooks':
      return verifyStandard(def, secret, delivery, nowMs)
    case 'none':
      return { ok: true }
  }
}

/**
 * The headers a sender of `scheme` would put on `body` (tests, the hub's own outgoing webhooks):
 * the inverse of {@link verifySignature}. `id` is the Standard Webhooks message id.
 */
export function signatureHeaders(
  scheme: Exclude<SignatureScheme, 'none'>,
  secret: string,
  body: string | Buffer,
  options: { nowMs?: number; id?: string; header?: string; prefix?: string } = {},
): Record<string, string> {
  const t = String(Math.floor((options.nowMs ?? Date.now()) / 1000))
  switch (scheme) {
    case 'hmac-sha256':
      return { [options.header ?? 'X-Hub-Signature-256']: `${options.prefix ?? ''}${hmac(secret, body).toString('hex')}` }
    case 'stripe':
      return { 'Stripe-Signature': `t=${t},v1=${hmac(secret, `${t}.`, body).toString('hex')}` }
    case 'slack':
      return { 'X-Slack-Request-Timestamp': t, 'X-Slack-Signature': `v0=${hmac(secret, `v0:${t}:`, body).toString('hex')}` }
    case 'standard-webhooks': {
      const id = options.id ?? `msg_${t}`
      return { 'webhook-id': id, 'webhook-timestamp': t, 'webhook-signature': `v1,${hmac(standardWebhooksKey(secret), `${id}.${t}.`, body).toString('base64')}` }
    }
  }
}
