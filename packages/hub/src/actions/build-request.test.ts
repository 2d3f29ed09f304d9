import { describe, expect, it } from 'vitest'
import { toIntegration } from '../catalog/catalog.js'
import { buildRequest, consumedInputs } from './build-request.js'

const integration = toIntegration(
  {
    id: 'acme',
    name: 'Acme',
    description: 'd',
    baseUrl: 'https://{region}.api.example.com/',
    headers: { 'User-Agent': 'patchbay' },
    auth: { BEARER_TOKEN: { inputs: [{ name: 'region', displayName: 'Region', description: 'd' }], apply: { headers: { Authorization: 'Bearer {token}' } } } },
    actions: [
      {
        code: 'GET_REPO',
        name: 'n',
        description: 'd',
        input: { type: 'object' },
        request: { method: 'GET', path: '/repos/{owner}/{+path}', query: { per_page: '{per_page}', tag: 'x-{tag}' } },
      },
      { code: 'CREATE', name: 'n', description: 'd', input: { type: 'object' }, request: { method: 'POST', path: '/items/{id}', body: { encoding: 'form' } } },
      { code: 'SEND', name: 'n', description: 'd', input: { type: 'object' }, request: { method: '{method}', path: '/send', body: { from: 'payload' } } },
    ],
  },
  'test',
)
const action = (code: string) => integration.definition.actions.find((a) => a.code === code) as (typeof integration.definition.actions)[number]

describe('buildRequest', () => {
  it('renders the URL from the base (connection inputs), path (encoded and {+raw}) and query', () => {
    const req = buildRequest(integration, action('GET_REPO'), { owner: 'a b', path: 'x/y', per_page: 5 }, { region: 'eu' })
    expect(req).toEqual({ method: 'GET', url: 'https://eu.api.example.com/repos/a%20b/x/y?per_page=5', headers: { 'User-Agent': 'patchbay' }, body: undefined })
  })

  it('puts no credentials on the request: that is the scheme decorate', () => {
    const req = buildRequest(integration, action('GET_REPO'), { owner: 'o', path: 'p', token: 'should-not-appear' }, { region: 'eu' })
    expect(JSON.stringify(req)).not.toContain('should-not-appear')
  })

  it('form-encodes the inputs the path did not use', () => {
    const req = buildRequest(integration, action('CREATE'), { id: '7', amount: 3, meta: { k: 'v' } }, { region: 'eu' })
    expect(req.body).toBe('amount=3&meta%5Bk%5D=v')
    expect(req.headers['Content-Type']).toBe('application/x-www-form-urlencoded')
    expect([...consumedInputs(action('CREATE'))]).toEqual(['id'])
  })

  it('sends a string body as text and takes the method from an input', () => {
    const req = buildRequest(integration, action('SEND'), { method: 'put', payload: 'raw text' }, { region: 'eu' })
    expect(req).toMatchObject({ method: 'PUT', body: 'raw text', headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  })

  it('refuses a bad method or a missing path input with INVALID_ACTION_INPUT', () => {
    expect(() => buildRequest(integration, action('SEND'), { method: 'TRACE' }, { region: 'eu' })).toThrow(/method must be one of/)
    expect(() => buildRequest(integration, action('GET_REPO'), { path: 'p' }, { region: 'eu' })).toThrow(/'owner' is required/)
  })
})

describe('buildRequest: a path parameter may not change the path structure', () => {
  const gh = toIntegration(
    {
      id: 'gh',
      name: 'Gh',
      description: 'd',
      baseUrl: 'https://api.example.com/v1',
      auth: { NO_AUTH: {} },
      actions: [{ code: 'GET_REPOSITORY', name: 'n', description: 'd', input: { type: 'object' }, request: { method: 'GET', path: '/repos/{owner}/{repo}' } }],
    },
    'test',
  )
  const get = gh.definition.actions.find((a) => a.code === 'GET_REPOSITORY') as (typeof gh.definition.actions)[number]
  const proxy = gh.definition.actions.find((a) => a.code === 'REQUEST') as (typeof gh.definition.actions)[number]

  it.each([['..'], ['.'], ['%2e%2e'], ['%2E.'], ['.%2e']])('refuses {owner: %j} with a 400 naming the input', (owner) => {
    expect(() => buildRequest(gh, get, { owner, repo: 'user' }, {})).toThrow(/'owner' may not contain a '\.' or '\.\.' path segment/)
  })

  it('still accepts dots inside a segment', () => {
    expect(buildRequest(gh, get, { owner: 'a..b', repo: '.github' }, {}).url).toBe('https://api.example.com/v1/repos/a..b/.github')
  })

  it.each([['/../../admin'], ['/%2e%2e/admin'], ['/x/%2E./%2e%2E/admin'], ['/..\\admin'], ['/x/..%2fadmin']])('REQUEST refuses path %j', (path) => {
    expect(() => buildRequest(gh, proxy, { method: 'GET', path }, {})).toThrow(/'path' may not contain/)
  })

  it('REQUEST keeps the resolved URL under the base path', () => {
    expect(buildRequest(gh, proxy, { method: 'GET', path: '/users/1' }, {}).url).toBe('https://api.example.com/v1/users/1')
    expect(() => buildRequest(gh, proxy, { method: 'GET', path: '//evil.example/x' }, {})).not.toThrow(/origin/)
  })
})
