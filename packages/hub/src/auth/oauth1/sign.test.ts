import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { baseStringUri, percentEncode, signOAuth1, signatureBaseString, type OAuth1SignatureMethod } from './sign.js'

// An independent implementation to check against.
const oauthSign = createRequire(import.meta.url)('oauth-sign') as {
  sign(method: string, httpMethod: string, baseUri: string, params: Record<string, string | string[]>, consumerSecret: string, tokenSecret?: string): string
}

function header(h: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of h.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) out[m[1] as string] = decodeURIComponent(m[2] as string)
  return out
}

describe('OAuth 1.0a signing (RFC 5849)', () => {
  it('percent-encodes as RFC 3986 requires', () => {
    expect(percentEncode("Ladies + Gentlemen!*'()~._-")).toBe('Ladies%20%2B%20Gentlemen%21%2A%27%28%29~._-')
    expect(percentEncode('é')).toBe('%C3%A9')
  })

  it('normalises the base string URI (§3.4.1.2)', () => {
    expect(baseStringUri(new URL('HTTP://Example.COM:80/r%20v/X?id=123'))).toBe('http://example.com/r%20v/X')
    expect(baseStringUri(new URL('https://www.example.net:8080/?q=1'))).toBe('https://www.example.net:8080/')
  })

  it('matches the HMAC-SHA1 example of the Twitter guide "Creating a signature"', () => {
    const url = 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true'
    const h = signOAuth1(
      'HMAC-SHA1',
      {
        consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
        consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      },
      {
        method: 'POST',
        url,
        form: new URLSearchParams({ status: 'Hello Ladies + Gentlemen, a signed OAuth request!' }),
        nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
        timestamp: '1318622958',
      },
    )
    expect(header(h)['oauth_signature']).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=')
  })

  it.each(['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as OAuth1SignatureMethod[])('agrees with oauth-sign on random requests (%s)', (method) => {
    for (let i = 0; i < 50; i++) {
      const rnd = () => randomBytes(6).toString('base64') + ' ~!*()é&=+'.slice(i % 10)
      const url = new URL(`http://127.0.0.1:${1000 + i}/p/${i}`)
      url.searchParams.append('a', rnd())
      url.searchParams.append('a', rnd())
      url.searchParams.append(`k${rnd()}`, rnd())
      const form = new URLSearchParams({ status: rnd(), z: '' })
      const creds = { consumerKey: rnd(), consumerSecret: rnd(), token: rnd(), tokenSecret: rnd() }
      const h = header(signOAuth1(method, creds, { method: i % 2 ? 'post' : 'POST', url: url.toString(), form }))
      const params: Record<string, string | string[]> = {}
      for (const [k, v] of [...url.searchParams, ...form, ...Object.entries(h).filter(([k]) => k !== 'oauth_signature')]) {
        const cur = params[k]
        params[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v]
      }
      expect(h['oauth_signature']).toBe(oauthSign.sign(method, 'POST', `${url.origin}${url.pathname}`, params, creds.consumerSecret, creds.tokenSecret))
    }
  })

  it('agrees with oauth-sign on RSA-SHA1', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const pem = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
    const url = 'http://127.0.0.1:9/photos?file=vacation.jpg&size=original'
    const h = header(signOAuth1('RSA-SHA1', { consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: pem, token: 'nnch734d00sl2jdk' }, { method: 'GET', url }))
    const params = { file: 'vacation.jpg', size: 'original', ...Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'oauth_signature')) }
    expect(h['oauth_signature']).toBe(oauthSign.sign('RSA-SHA1', 'GET', 'http://127.0.0.1:9/photos', params, pem))
  })

  it('uses a fresh nonce every time', () => {
    const nonces = new Set(
      Array.from({ length: 100 }, () => header(signOAuth1('HMAC-SHA1', { consumerKey: 'k', consumerSecret: 's' }, { method: 'GET', url: 'http://127.0.0.1/' }))['oauth_nonce']),
    )
    expect(nonces.size).toBe(100)
  })

  it('builds the base string with sorted, encoded parameters', () => {
    const base = signatureBaseString('get', new URL('http://127.0.0.1/a'), [
      ['b', '2'],
      ['a', '1 1'],
      ['a', '0'],
    ])
    expect(base).toBe('GET&http%3A%2F%2F127.0.0.1%2Fa&a%3D0%26a%3D1%25201%26b%3D2')
  })
})
