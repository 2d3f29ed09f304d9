import { describe, expect, it } from 'vitest'
import { contrastRatio, checkAccentColor, ConfigError, loadConfig } from '../../../config.js'
import { dashboardCss, DEFAULT_ACCENT } from './assets.js'
import { html, when } from './html.js'
import { isDashboardPath } from './paths.js'

describe('dashboard html', () => {
  it('escapes every interpolated value but keeps nested html, joins arrays and drops null/false', () => {
    const name = `<script>alert("x")</script>&'`
    const out = html`<td>${name}</td>${[html`<b>${'a<b'}</b>`, 'c&d']}${null}${false}${undefined}${0}`.value
    expect(out).toBe('<td>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;</td><b>a&#60;b</b>c&#38;d0')
  })

  it('formats dates in UTC and shows a dash for none', () => {
    expect(when('2026-01-02T03:04:05.000Z')).toBe('2026-01-02 03:04 UTC')
    expect(when(null)).toBe('—')
  })

  it('knows its paths', () => {
    expect(isDashboardPath('/dashboard')).toBe(true)
    expect(isDashboardPath('/dashboard/keys')).toBe(true)
    expect(isDashboardPath('/dashboards')).toBe(false)
  })
})

describe('branding colours', () => {
  it('computes WCAG contrast and refuses an accent that white text cannot be read on', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrastRatio(DEFAULT_ACCENT, '#ffffff')).toBeGreaterThanOrEqual(4.5)
    expect(checkAccentColor('#0B57D0')).toBe('#0b57d0')
    expect(() => checkAccentColor('#ffcc00')).toThrow(ConfigError)
    expect(() => checkAccentColor('#ffcc00')).toThrow(/contrast of 1\.\d+:1/)
    expect(() => checkAccentColor('red')).toThrow(/#rrggbb/)
  })

  it('reads the product name and accent from the environment', () => {
    expect(loadConfig({ PATCHBAY_PRODUCT_NAME: 'Acme Hub', PATCHBAY_ACCENT_COLOR: '#6A1B9A' }).branding).toEqual({ productName: 'Acme Hub', accentColor: '#6a1b9a' })
    expect(loadConfig({}).branding).toEqual({ productName: 'Patchbay', accentColor: undefined })
    expect(() => loadConfig({ PATCHBAY_ACCENT_COLOR: '#eeeeee' })).toThrow(/PATCHBAY_ACCENT_COLOR/)
  })

  it('puts the accent into the light theme only (dark mode keeps its own readable blue)', () => {
    const css = dashboardCss('#6a1b9a')
    expect(css).toContain('--accent:#6a1b9a')
    expect(css).toContain('--accent:#8ab4f8')
  })

  it('checks the text colours of both themes against their backgrounds (AA: 4.5:1)', () => {
    const pairs: Array<[string, string]> = [
      ['#1a1a1a', '#ffffff'],
      ['#4d4d4d', '#ffffff'],
      ['#4d4d4d', '#f4f5f7'],
      ['#137333', '#ffffff'],
      ['#b3261e', '#ffffff'],
      ['#7a4d00', '#ffffff'],
      ['#e8e8e8', '#121212'],
      ['#b8b8b8', '#1e1f22'],
      ['#8ab4f8', '#121212'],
      ['#0b0b0b', '#8ab4f8'],
      ['#81c995', '#121212'],
      ['#f2b8b5', '#121212'],
      ['#121212', '#f2b8b5'],
      ['#fdd663', '#121212'],
    ]
    for (const [fg, bg] of pairs) expect(contrastRatio(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5)
  })
})
