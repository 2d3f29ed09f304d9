import { PatchbayError } from '@patchbay/core'
import type { Store } from '../store/store.js'

/** A tenant's Connect page settings, as `GET /api/v2/connect/settings` answers them. */
export interface ConnectSettings {
  /**
   * Origins (`https://app.example.com`) that may embed the Connect page in an iframe
   * (`frame-ancestors`), open it with `openConnect`, and be redirected to after it.
   */
  allowedOrigins: string[]
  /** What the page shows instead of "Patchbay". */
  branding: { productName: string | null; logoUrl: string | null; accentColor: string | null }
}

/** The settings of a tenant that set none: no origin allowed, Patchbay's own look. */
export const DEFAULT_CONNECT_SETTINGS: Readonly<ConnectSettings> = Object.freeze({
  allowedOrigins: [],
  branding: { productName: null, logoUrl: null, accentColor: null },
})

const MAX_ORIGINS = 50
const ACCENT = /^#[0-9a-fA-F]{6}$/

/**
 * Reads a tenant's Connect page settings (defaults when it set none).
 *
 * @example
 * ```ts
 * const { allowedOrigins } = await readConnectSettings(store, tenantId)
 * ```
 */
export async function readConnectSettings(store: Store, tenantId: string): Promise<ConnectSettings> {
  const row = await store.connectSessions.getSettings(tenantId)
  if (!row) return { allowedOrigins: [], branding: { ...DEFAULT_CONNECT_SETTINGS.branding } }
  return {
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    branding: { productName: row.product_name, logoUrl: row.logo_url, accentColor: row.accent_color },
  }
}

/**
 * Replaces a tenant's Connect page settings with `body` (`PUT /api/v2/connect/settings`); a field
 * left out takes its default. Answers the stored settings.
 *
 * @example
 * ```ts
 * await writeConnectSettings(store, tenantId, { allowedOrigins: ['https://app.example.com'], branding: { productName: 'Acme' } })
 * ```
 * @throws {PatchbayError} VALIDATION naming the field and what it must be.
 */
export async function writeConnectSettings(store: Store, tenantId: string, body: Record<string, unknown>): Promise<ConnectSettings> {
  for (const k of Object.keys(body)) {
    if (k !== 'allowedOrigins' && k !== 'branding') throw new PatchbayError('VALIDATION', `Unknown field ${JSON.stringify(k)}: connect settings have allowedOrigins and branding`)
  }
  const allowedOrigins = checkOrigins(body['allowedOrigins'])
  const branding = checkBranding(body['branding'])
  await store.connectSessions.putSettings({
    tenant_id: tenantId,
    allowed_origins: JSON.stringify(allowedOrigins),
    product_name: branding.productName,
    logo_url: branding.logoUrl,
    accent_color: branding.accentColor,
    updated_at: new Date().toISOString(),
  })
  return { allowedOrigins, branding }
}

/**
 * The origin of `url` when it is an http(s) origin, exactly (`https://host[:port]`, no path);
 * undefined otherwise.
 */
export function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined
  const u = new URL(url)
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined
  if (u.username || u.password) return undefined
  return u.origin
}

function checkOrigins(raw: unknown): string[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new PatchbayError('VALIDATION', 'allowedOrigins must be an array of origins, e.g. ["https://app.example.com"]')
  if (raw.length > MAX_ORIGINS) throw new PatchbayError('VALIDATION', `allowedOrigins may list at most ${MAX_ORIGINS} origins`)
  const out: string[] = []
  for (const o of raw) {
    const origin = typeof o === 'string' ? originOf(o) : undefined
    if (typeof o !== 'string' || origin === undefined || origin !== o.replace(/\/$/, '').toLowerCase()) {
      throw new PatchbayError(
        'VALIDATION',
        `allowedOrigins: ${JSON.stringify(String(o).slice(0, 200))} is not an origin; give scheme, host and port only, e.g. "https://app.example.com" or "http://localhost:3000"`,
      )
    }
    if (!out.includes(origin)) out.push(origin)
  }
  return out
}

function checkBranding(raw: unknown): ConnectSettings['branding'] {
  if (raw === undefined || raw === null) return { productName: null, logoUrl: null, accentColor: null }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new PatchbayError('VALIDATION', 'branding must be an object: { productName?, logoUrl?, accentColor? }')
  const b = raw as Record<string, unknown>
  for (const k of Object.keys(b)) {
    if (!['productName', 'logoUrl', 'accentColor'].includes(k))
      throw new PatchbayError('VALIDATION', `Unknown branding field ${JSON.stringify(k)}: use productName, logoUrl or accentColor`)
  }
  const productName = optionalString(b['productName'], 'branding.productName', 80)
  const logoUrl = optionalString(b['logoUrl'], 'branding.logoUrl', 2048)
  if (logoUrl !== null && originOf(logoUrl) === undefined) throw new PatchbayError('VALIDATION', 'branding.logoUrl must be an http(s) URL of an image')
  const accentColor = optionalString(b['accentColor'], 'branding.accentColor', 7)
  if (accentColor !== null && !ACCENT.test(accentColor)) throw new PatchbayError('VALIDATION', 'branding.accentColor must be a colour as #rrggbb, e.g. "#0b57d0"')
  if (accentColor !== null && contrastWithWhite(accentColor) < 4.5) {
    throw new PatchbayError(
      'VALIDATION',
      `branding.accentColor ${accentColor} is too light for white button text (contrast ${contrastWithWhite(accentColor).toFixed(2)}:1, WCAG AA needs 4.5:1); choose a darker colour`,
    )
  }
  return { productName, logoUrl, accentColor: accentColor?.toLowerCase() ?? null }
}

/** The WCAG 2 contrast ratio of `#rrggbb` against white. */
function contrastWithWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)
}

function optionalString(v: unknown, name: string, max: number): string | null {
  if (v === undefined || v === null || v === '') return null
  if (typeof v !== 'string') throw new PatchbayError('VALIDATION', `${name} must be a string`)
  if (v.length > max) throw new PatchbayError('VALIDATION', `${name} must be at most ${max} characters`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new PatchbayError('VALIDATION', `${name} may not contain control characters`)
  return v.trim()
}
