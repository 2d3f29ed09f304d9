import { describe, expect, it } from 'vitest'
import { splitUrl } from './run-action.js'

describe('splitUrl', () => {
  it('splits what URL.toString() writes into the origin and the path with its query', () => {
    for (const raw of ['https://api.example.com/v1/items/a%2Fb?x=1&y=%20', 'http://127.0.0.1:8080', 'http://user@h.example:81/p?q#f', 'https://h.example/?a=b']) {
      const url = new URL(raw)
      const { origin, path } = splitUrl(url.toString())
      expect(new URL(path, origin).toString()).toBe(url.toString())
      expect(origin).toBe(url.toString().slice(0, origin.length))
      expect(path.startsWith('/')).toBe(true)
    }
    expect(splitUrl('https://h.example/a/b?c=d')).toEqual({ origin: 'https://h.example', path: '/a/b?c=d' })
    expect(splitUrl('http://127.0.0.1:8080/')).toEqual({ origin: 'http://127.0.0.1:8080', path: '/' })
  })
})
