/**
 * The Connect page's one script, served at `/connect/assets/connect.js` (CSP `script-src 'self'`,
 * no inline script). It filters the list, submits the form as JSON (secrets go in the POST body
 * only, never into the page or a URL), runs OAuth in a popup, and tells the opener or embedding
 * page what happened with `postMessage` to its exact origin (`data-origin`, checked by the hub
 * against the tenant's allowed origins). Messages: `{ source: 'patchbay-connect', type: 'ready' |
 * 'connect' | 'close' | 'error', … }` (docs/connect.md).
 */
export const CONNECT_JS = `(() => {
  'use strict'
  const body = document.body
  const origin = body.dataset.origin || ''
  const params = new URLSearchParams(location.search)
  const token = params.get('session') || ''
  const target = window.opener && window.opener !== window ? window.opener : window.parent !== window ? window.parent : null
  const tell = (msg) => {
    if (origin && target) target.postMessage(Object.assign({ source: 'patchbay-connect' }, msg), origin)
  }
  const $ = (id) => document.getElementById(id)

  if (body.dataset.view === 'gone') {
    tell({ type: 'error', code: body.dataset.errorCode || 'SESSION_INVALID', message: body.dataset.errorMessage || '' })
    return
  }
  tell({ type: 'ready' })

  const cancel = $('cancel')
  if (cancel) cancel.addEventListener('click', () => {
    tell({ type: 'close' })
    if (window.opener) window.close()
  })

  const search = $('search')
  if (search) {
    const items = Array.from(document.querySelectorAll('#integrations > li[data-search]'))
    search.addEventListener('input', () => {
      const q = search.value.trim().toLowerCase()
      let shown = 0
      for (const li of items) {
        const hit = !q || li.dataset.search.includes(q)
        li.hidden = !hit
        if (hit) shown++
      }
      $('search-status').textContent = q ? shown + (shown === 1 ? ' integration matches' : ' integrations match') : ''
    })
  }

  const form = $('connect-form')
  if (!form) return
  const errorBox = $('form-error')
  const status = $('form-status')
  const button = form.querySelector('button[type=submit]')
  const showError = (message) => {
    errorBox.textContent = message
    errorBox.focus()
  }
  const post = async (path, payload) => {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), credentials: 'omit', cache: 'no-store' })
    let json = {}
    try { json = await res.json() } catch (e) { json = {} }
    return { ok: res.ok, status: res.status, json }
  }
  const done = (r) => {
    tell({ type: 'connect', connectionId: r.connectionId, integration: r.integration, endUserId: r.endUserId })
    if (!origin && r.redirectUrl) { location.assign(r.redirectUrl); return }
    const main = $('main')
    main.innerHTML = ''
    const h = document.createElement('h1')
    h.textContent = 'Connected'
    h.tabIndex = -1
    const p = document.createElement('p')
    p.className = 'done'
    p.setAttribute('role', 'status')
    p.textContent = 'Your account is connected. You can close this window.'
    main.append(h, p)
    h.focus()
  }
  const failed = (code, message, redirectUrl) => {
    tell({ type: 'error', code, message })
    if (!origin && redirectUrl) { location.assign(redirectUrl); return }
    showError(message)
  }
  const readData = () => {
    const data = {}
    for (const el of form.querySelectorAll('input[name]')) {
      if (el.type === 'checkbox') data[el.name] = el.checked
      else if (el.value !== '') data[el.name] = el.dataset.type === 'number' || el.dataset.type === 'integer' ? Number(el.value) : el.value
    }
    return data
  }
  const missing = () => Array.from(form.querySelectorAll('input[required]')).filter((el) => el.value.trim() === '')

  const waitForAuthorization = (popup) => new Promise((resolve) => {
    let busy = false
    let stopped = false
    const check = async () => {
      if (busy || stopped) return
      busy = true
      try {
        const r = await post('/connect/api/finish', { session: token })
        if (r.json.status === 'pending' && !(popup && popup.closed)) return
        stopped = true
        clearInterval(timer)
        window.removeEventListener('message', onMessage)
        if (popup && !popup.closed) popup.close()
        resolve(r)
      } finally { busy = false }
    }
    const onMessage = (e) => {
      if (e.origin !== location.origin || e.source !== popup || !e.data || e.data.source !== 'patchbay-callback') return
      void check()
    }
    window.addEventListener('message', onMessage)
    const timer = setInterval(check, 1500)
  })

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    errorBox.textContent = ''
    const empty = missing()
    if (empty.length > 0) {
      const label = form.querySelector('label[for="' + empty[0].id + '"]')
      showError('Fill in ' + (label ? label.firstChild.textContent.trim() : 'every required field') + '.')
      empty[0].focus()
      return
    }
    const oauth = form.dataset.oauth === 'true'
    // The popup opens in the click's turn, or browsers block it; it gets the provider's URL next.
    const popup = oauth ? window.open('', 'patchbay-authorize', 'popup,width=520,height=700') : null
    button.disabled = true
    status.textContent = oauth ? 'Waiting for the sign-in window…' : 'Checking your credentials…'
    try {
      const r = await post('/connect/api/submit', { session: token, integration: form.dataset.integration, scheme: form.dataset.scheme, data: readData() })
      for (const el of form.querySelectorAll('input[type=password]')) el.value = ''
      if (!r.ok) {
        if (popup) popup.close()
        if (r.json.code === 'SESSION_USED' || r.json.code === 'SESSION_EXPIRED') failed(r.json.code, r.json.message || 'This link can no longer be used.', null)
        else showError(r.json.message || 'The connection could not be saved; try again.')
        return
      }
      if (r.json.status === 'connected') return done(r.json)
      if (r.json.status === 'authorize') {
        if (!popup) { showError('Your browser blocked the sign-in window; allow pop-ups for this page and try again.'); return }
        popup.location.href = r.json.authorizeUrl
        const f = await waitForAuthorization(popup)
        if (f.json.status === 'connected') return done(f.json)
        if (f.json.status === 'pending') { showError('The sign-in window was closed before you finished; try again.'); return }
        failed(f.json.code || 'AUTHORIZATION_FAILED', f.json.message || 'The sign-in did not complete.', f.json.redirectUrl || null)
      }
    } catch (e) {
      if (popup) popup.close()
      showError('The hub could not be reached; check your connection and try again.')
    } finally {
      button.disabled = false
      status.textContent = ''
    }
  })
})()
`

/**
 * The OAuth callback page's script (`/connect/assets/callback.js`): in a popup opened by a Connect
 * page, it tells the opener, at this hub's own origin only, that the authorization ended.
 */
export const CALLBACK_JS = `(() => {
  'use strict'
  if (!window.opener) return
  const b = document.body
  window.opener.postMessage({ source: 'patchbay-callback', ok: b.dataset.ok === 'true', connectionId: b.dataset.connectionId || null }, location.origin)
})()
`
