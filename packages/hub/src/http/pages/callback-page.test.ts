import { describe, expect, it } from 'vitest'
import { callbackPage } from './callback-page.js'

describe('callbackPage', () => {
  it('escapes every field and shows the connection id', () => {
    const html = callbackPage({ ok: true, status: 200, title: 'Connected <b>', message: `"quoted" & 'single'`, connectionId: '<id>' })
    expect(html).toContain('<title>Connected &#60;b&#62; · Patchbay</title>')
    expect(html).toContain('&#34;quoted&#34; &#38; &#39;single&#39;')
    expect(html).toContain('<code>&#60;id&#62;</code>')
    expect(html).toContain('#137333')
  })

  it('colours a failure and omits the connection line when there is none', () => {
    const html = callbackPage({ ok: false, status: 400, title: 'Refused', message: 'No' })
    expect(html).toContain('#b3261e')
    expect(html).not.toContain('<code>')
  })
})
