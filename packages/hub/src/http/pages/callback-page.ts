import type { CallbackOutcome } from '../../auth/oauth.js'

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * The page a user lands on after granting (or refusing) access at a provider. In a popup opened by
 * a Connect page, its script (`/connect/assets/callback.js`) tells the opener, at the hub's own
 * origin only, that the authorization ended.
 */
export function callbackPage(o: CallbackOutcome): string {
  const colour = o.ok ? '#137333' : '#b3261e'
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(o.title)} · Patchbay</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{color:${colour};font-size:1.5rem}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body data-ok="${o.ok ? 'true' : 'false'}" data-connection-id="${escapeHtml(o.connectionId ?? '')}"><h1>${escapeHtml(o.title)}</h1><p>${escapeHtml(o.message)}</p>${o.connectionId ? `<p>Connection <code>${escapeHtml(o.connectionId)}</code></p>` : ''}<script src="/connect/assets/callback.js"></script></body></html>`
}
