import type { AuthenticationSchema, InputDefinition } from '@patchbay/core'
import type { Integration } from '../../../catalog/catalog.js'
import type { ConnectSettings } from '../../../connections/connect-settings.js'
import type { ConnectSession } from '../../../connections/connect-sessions.js'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Human names of the schemes, as the page shows them. */
const SCHEME_LABELS: Record<string, string> = {
  API_KEY: 'API key',
  BEARER_TOKEN: 'Access token',
  BASIC: 'User name and password',
  OAUTH2: 'Sign in (OAuth 2.0)',
  OAUTH1: 'Sign in (OAuth 1.0a)',
  NO_AUTH: 'No credentials',
  AWS_SIGV4: 'AWS access key',
}

/** What every Connect page view is rendered with. */
export interface PageContext {
  session: ConnectSession
  token: string
  settings: ConnectSettings
  /** The opener's (or embedding page's) origin, when it is one of the tenant's allowed origins. */
  origin: string | undefined
  /** A per-response nonce for the one `<style>` block (the accent colour). */
  nonce: string
}

/** The `?session=…` query (plus the opener origin) every link of the page keeps. */
function query(ctx: PageContext, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ session: ctx.token, ...(ctx.origin ? { origin: ctx.origin } : {}), ...extra })
  return `/connect?${esc(q.toString())}`
}

function layout(title: string, ctx: { settings: ConnectSettings; nonce: string; origin?: string | undefined }, body: string, data: Record<string, string> = {}): string {
  const b = ctx.settings.branding
  const product = b.productName ?? 'Patchbay'
  const accent = b.accentColor ? `<style nonce="${esc(ctx.nonce)}">:root{--accent:${esc(b.accentColor)}}</style>` : ''
  const logo = b.logoUrl ? `<img class="brand-logo" src="${esc(b.logoUrl)}" alt="" width="28" height="28">` : ''
  const attrs = Object.entries({ ...(ctx.origin ? { origin: ctx.origin } : {}), ...data })
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<title>${esc(title)} · ${esc(product)}</title><link rel="stylesheet" href="/connect/assets/connect.css">${accent}<script src="/connect/assets/connect.js" defer></script></head>
<body${attrs}><header class="brand">${logo}<span class="brand-name">${esc(product)}</span></header><main id="main">${body}</main>
<footer><p class="muted">Your credentials are sent to ${esc(product)} over this page only, stored encrypted and never shown again.</p></footer></body></html>`
}

function logoOf(i: Integration): string {
  const letter = (i.definition.name.match(/[A-Za-z0-9]/)?.[0] ?? '?').toUpperCase()
  return `<span class="logo" aria-hidden="true">${esc(letter)}</span>`
}

function greeting(s: ConnectSession): string {
  const who = s.endUser.displayName ?? s.endUser.email
  return who ? `<p class="muted">Signed in as ${esc(who)}</p>` : ''
}

/** The list of the session's integrations, searchable (the script filters as one types). */
export function integrationListPage(ctx: PageContext, integrations: readonly Integration[]): string {
  const items = integrations
    .map(
      (i) =>
        `<li data-search="${esc(`${i.definition.name} ${i.definition.id} ${i.definition.description}`.toLowerCase())}"><a class="card" href="${query(ctx, { integration: i.definition.id })}">${logoOf(i)}<span class="card-text"><span class="card-name">${esc(i.definition.name)}</span><span class="card-desc">${esc(i.definition.description)}</span></span></a></li>`,
    )
    .join('')
  const body = `<h1>Connect an account</h1>${greeting(ctx.session)}
<div class="field"><label for="search">Search integrations</label><input id="search" type="search" autocomplete="off" aria-controls="integrations"></div>
<p id="search-status" class="muted" role="status" aria-live="polite"></p>
<ul id="integrations" class="cards" aria-label="Integrations">${items || '<li class="muted">No integration is available to this link.</li>'}</ul>${cancelButton(ctx)}`
  return layout('Connect an account', ctx, body, { view: 'list' })
}

/** The choice of a scheme, for an integration that offers several. */
export function schemeChoicePage(ctx: PageContext, integration: Integration, schemes: readonly AuthenticationSchema[]): string {
  const items = schemes
    .map(
      (s) =>
        `<li><a class="card" href="${query(ctx, { integration: integration.definition.id, scheme: s })}"><span class="card-name">${esc(SCHEME_LABELS[s] ?? s)}</span></a></li>`,
    )
    .join('')
  const body = `${backLink(ctx)}<h1>Connect ${esc(integration.definition.name)}</h1><p>Choose how to connect:</p><ul class="cards" aria-label="Ways to connect">${items}</ul>`
  return layout(`Connect ${integration.definition.name}`, ctx, body, { view: 'schemes' })
}

/** The form of one scheme's inputs; OAuth schemes get a button that opens the provider in a popup. */
export function credentialFormPage(ctx: PageContext, integration: Integration, scheme: AuthenticationSchema, severalSchemes: boolean): string {
  const def = integration.definition
  const inputs: InputDefinition[] = def.auth[scheme]?.inputs ?? []
  const oauth = scheme === 'OAUTH2' || scheme === 'OAUTH1'
  const fields = inputs.map((input) => field(input)).join('')
  const help = def.docsUrl
    ? `<p><a href="${esc(def.docsUrl)}" target="_blank" rel="noopener noreferrer">Where to find your ${esc(def.name)} credentials<span class="visually-hidden"> (opens in a new tab)</span></a></p>`
    : ''
  const reconnect = ctx.session.reconnectConnectionId ? `<p class="muted">This re-authorises your existing ${esc(def.name)} connection.</p>` : ''
  const back = severalSchemes ? query(ctx, { integration: def.id }) : ctx.session.reconnectConnectionId ? undefined : query(ctx)
  const verify = def.verify ? '<p class="muted">Your credentials are checked with the service before they are saved.</p>' : ''
  const body = `${back ? backLink(ctx, back) : ''}<h1>Connect ${esc(def.name)}</h1>${greeting(ctx.session)}${reconnect}
<p class="muted">${esc(SCHEME_LABELS[scheme] ?? scheme)}</p>${help}
<form id="connect-form" method="post" action="/connect/api/submit" novalidate data-integration="${esc(def.id)}" data-scheme="${esc(scheme)}" data-oauth="${oauth ? 'true' : 'false'}" aria-describedby="form-error">
${fields}${verify}<div id="form-error" class="error" role="alert" tabindex="-1"></div>
<button type="submit" class="primary">${oauth ? `Continue with ${esc(def.name)}` : 'Connect'}</button></form>
<p id="form-status" class="muted" role="status" aria-live="polite"></p>${cancelButton(ctx)}`
  return layout(`Connect ${def.name}`, ctx, body, { view: 'form' })
}

function field(input: InputDefinition): string {
  const id = `in-${input.name.replace(/[^A-Za-z0-9_-]/g, '_')}`
  const required = input.required !== false && input.default === undefined
  const type = input.secret ? 'password' : input.type === 'number' || input.type === 'integer' ? 'number' : 'text'
  if (input.type === 'boolean') {
    return `<div class="field check"><input id="${id}" name="${esc(input.name)}" type="checkbox" aria-describedby="${id}-desc"><label for="${id}">${esc(input.displayName)}</label><p id="${id}-desc" class="hint">${esc(input.description)}</p></div>`
  }
  const value = !input.secret && input.default !== undefined ? ` value="${esc(String(input.default))}"` : ''
  return `<div class="field"><label for="${id}">${esc(input.displayName)}${required ? ' <span class="req" aria-hidden="true">*</span><span class="visually-hidden"> (required)</span>' : ' <span class="muted">(optional)</span>'}</label>
<p id="${id}-desc" class="hint">${esc(input.description)}${input.helpUrl ? ` <a href="${esc(input.helpUrl)}" target="_blank" rel="noopener noreferrer">Where to find it<span class="visually-hidden"> (${esc(input.displayName)}, opens in a new tab)</span></a>` : ''}</p><input id="${id}" name="${esc(input.name)}" type="${type}"${value}${required ? ' required aria-required="true"' : ''} autocomplete="${input.secret ? 'new-password' : 'off'}" spellcheck="false" aria-describedby="${id}-desc" data-type="${esc(input.type ?? 'string')}"></div>`
}

function backLink(ctx: PageContext, href = query(ctx)): string {
  return `<p><a href="${href}" class="back">← Back</a></p>`
}

function cancelButton(ctx: PageContext): string {
  return ctx.origin ? '<p><button type="button" id="cancel" class="secondary">Cancel</button></p>' : ''
}

/** The page of a session that can no longer be used (410) or is unknown (404). */
export function sessionGonePage(ctx: { settings: ConnectSettings; nonce: string; origin?: string | undefined }, code: string, message: string): string {
  const title = code === 'SESSION_USED' ? 'This link was already used' : code === 'SESSION_EXPIRED' ? 'This link has expired' : 'This link is not valid'
  return layout(title, ctx, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`, { view: 'gone', 'error-code': code, 'error-message': message })
}

/** A page for a request the session cannot serve (an integration or scheme it does not offer), with a way back. */
export function problemPage(ctx: PageContext, message: string): string {
  return layout('Not available', ctx, `${backLink(ctx)}<h1>Not available</h1><p>${esc(message)}</p>`, { view: 'problem' })
}
