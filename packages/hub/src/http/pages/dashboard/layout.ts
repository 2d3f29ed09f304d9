import { html, type SafeHtml } from './html.js'
import { DASHBOARD_PREFIX } from './paths.js'

/** The views, in the navigation's order: path under /dashboard and label. */
export const VIEWS = [
  { path: 'integrations', label: 'Integrations' },
  { path: 'connections', label: 'Connections' },
  { path: 'runs', label: 'Runs' },
  { path: 'webhooks', label: 'Webhooks' },
  { path: 'keys', label: 'API keys' },
  { path: 'tools', label: 'Agent tools' },
] as const

/** A view's path segment. */
export type ViewPath = (typeof VIEWS)[number]['path']

/** What every page is rendered with. */
export interface PageContext {
  productName: string
  /** The CSRF token every form of the page carries. */
  csrf: string
  /** The signed-in key's name; undefined on the sign-in page. */
  keyName?: string | undefined
  active?: ViewPath | undefined
  /** A success message (shown as a status). */
  notice?: string | undefined
  /** An error message (shown as an alert). */
  error?: string | undefined
}

/** The hidden CSRF field of a form. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`
}

/** A dashboard URL: `/dashboard/<path>`. */
export function url(path: string): string {
  return `${DASHBOARD_PREFIX}/${path}`
}

/** A POST form with one button (and the CSRF field), e.g. sign out or delete. */
export function postButton(ctx: PageContext, action: string, label: string, options: { className?: string; ariaLabel?: string; fields?: Record<string, string> } = {}): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">${csrfField(ctx)}${Object.entries(options.fields ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit"${options.className ? html` class="${options.className}"` : ''}${options.ariaLabel ? html` aria-label="${options.ariaLabel}"` : ''}>${label}</button></form>`
}

/** A value shown once, with a copy button (the one script), e.g. a new API key. */
export function secretValue(id: string, label: string, value: string): SafeHtml {
  return html`<div class="secret"><code id="${id}" aria-label="${label}">${value}</code><button type="button" class="secondary" data-copy="${id}" aria-label="Copy ${label}">Copy</button><span id="${id}-status" role="status"></span></div>`
}

/** A table in a scrollable, keyboard-focusable region (narrow screens scroll it sideways). */
export function table(caption: string, head: readonly string[], rows: readonly SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`
}

/** The whole page: skip link, header with the product name, navigation and sign-out, then `body`. */
export function page(ctx: PageContext, title: string, body: SafeHtml): string {
  const nav = ctx.keyName
    ? html`<nav aria-label="Dashboard"><ul>${VIEWS.map((v) => html`<li><a href="${url(v.path)}"${v.path === ctx.active ? html` aria-current="page"` : ''}>${v.label}</a></li>`)}</ul></nav>
<span class="muted">Signed in with key “${ctx.keyName}”</span>${postButton(ctx, url('sign-out'), 'Sign out', { className: 'secondary' })}`
    : ''
  const notices = html`${ctx.notice ? html`<div class="notice" role="status">${ctx.notice}</div>` : ''}${ctx.error ? html`<div class="notice error" role="alert">${ctx.error}</div>` : ''}`
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${ctx.productName}</title><link rel="stylesheet" href="${url('assets/dashboard.css')}"><script src="${url('assets/dashboard.js')}" defer></script></head>
<body><a class="skip" href="#main">Skip to content</a><header class="top"><span class="brand">${ctx.productName}</span>${nav}</header>
<main id="main" tabindex="-1"><h1>${title}</h1>${notices}${body}</main></body></html>`.value
}
