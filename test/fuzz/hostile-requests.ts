import fc from 'fast-check'

/** One request the fuzz suite sends: everything undici needs, nothing else. */
export interface HostileRequest {
  method: string
  path: string
  /** Flat [name, value, name, value…] so a header can repeat. */
  headers: string[]
  body: string | undefined
  /** What the case is about, for the failure message. */
  kind: string
}

/** What the generator fills routes with: ids and codes the test hub really has. */
export interface FuzzTargets {
  key: string
  connectionIds: string[]
  integrationIds: string[]
  actionCodes: string[]
  /** Whoever needs a body this big gets one (bytes), to hit the size limits. */
  oversizeBytes: number
}

const ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/sdk/models/{id}' },
  { method: 'DELETE', path: '/sdk/models/{id}' },
  { method: 'GET', path: '/sdk/models' },
  { method: 'POST', path: '/sdk/models/paginate' },
  { method: 'POST', path: '/api/v2/execute/{id}' },
  { method: 'POST', path: '/api/v1/execute/{id}' },
  { method: 'GET', path: '/api/v1/data/{id}' },
  { method: 'GET', path: '/oauth/callback' },
  { method: 'GET', path: '/admin/oauth-apps' },
  { method: 'GET', path: '/admin/oauth-apps/{id}' },
  { method: 'PUT', path: '/admin/oauth-apps/{id}' },
  { method: 'DELETE', path: '/admin/oauth-apps/{id}' },
  { method: 'POST', path: '/mcp' },
  { method: 'GET', path: '/api/v2/connections/{id}/tools' },
  { method: 'GET', path: '/api/v2/tools' },
  { method: 'GET', path: '/api/v2/connections/{id}/action-scope' },
  { method: 'PUT', path: '/api/v2/connections/{id}/action-scope' },
  { method: 'POST', path: '/api/v2/admin/integrations' },
  { method: 'GET', path: '/api/v2/admin/integrations' },
  { method: 'DELETE', path: '/api/v2/admin/integrations/{id}' },
]

/** encodeURIComponent, with lone surrogates (which it refuses) replaced. */
const enc = (s: string) =>
  encodeURIComponent(
    s.replace(/[\uD800-\uDFFF]/g, (c, i: number, all: string) => (/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(all.slice(i - 1, i + 1) + all.slice(i, i + 2)) ? c : '\uFFFD')),
  )

const QUERY_NAMES = ['ids', 'actions', 'connections', 'format', 'strict', 'state', 'code', 'error', 'iss', 'pageNumber', 'q', '__proto__', 'constructor']

/** Strings that break things: NUL, non-ASCII, traversal, huge, template and SQL syntax. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '..',
    '../..',
    '%2e%2e',
    '%00',
    '{token}',
    "'; drop table connections; --",
    '%',
    '_',
    '\\',
    '\uFFFF',
    '\uD800',
    '💥',
    'Ω≈ç',
    '__proto__',
    'constructor',
    'prototype',
    'null',
    'true',
    '-1',
    '1e309',
    'NaN',
  ),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
)

/** Any JSON value, including `__proto__`/`constructor` keys and nasty strings. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nasty,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')), tie('value'), { maxKeys: 5 }),
  ),
})).value

/** JSON text nested `depth` deep (arrays or objects). */
function nested(depth: number, asObject: boolean): string {
  return asObject ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`
}

/** JSON text with own `__proto__` / `constructor.prototype` keys, which JSON.stringify cannot write. */
const pollutingText = fc.constantFrom(
  '{"__proto__":{"isAdmin":true},"name":"p"}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"action":"REQUEST","data":{"__proto__":{"method":"GET"},"path":"/"}}',
  '{"name":"x","authScheme":"NO_AUTH","data":{"__proto__":{"base_url":"http://127.0.0.1"}}}',
)

function bodyFor(route: string, t: FuzzTargets): fc.Arbitrary<{ text: string | undefined; kind: string }> {
  const shaped: fc.Arbitrary<unknown> = route.includes('execute')
    ? fc.oneof(
        fc.record({ action: fc.oneof(fc.constantFrom(...t.actionCodes, 'LIST_ACTIONS', 'LIST_INPUTS', 'LIST_TOOLS'), nasty), data: jsonish }, { requiredKeys: [] }),
        fc.record({
          action: fc.constant('REQUEST'),
          data: fc.record(
            { method: fc.constantFrom('GET', 'POST', 'DELETE', 'get', 'TRACE'), path: fc.oneof(nasty, fc.constant('/x')), query: jsonish, headers: jsonish, body: jsonish },
            { requiredKeys: [] },
          ),
        }),
        fc.record(
          { name: nasty, description: nasty, authScheme: fc.oneof(fc.constantFrom('NO_AUTH', 'BEARER_TOKEN', 'API_KEY', 'BASIC', 'OAUTH2', 'OAUTH1'), nasty), data: jsonish },
          { requiredKeys: [] },
        ),
      )
    : route.includes('paginate')
      ? fc.record({ q: jsonish, pageNumber: jsonish, pageSize: jsonish, functions: jsonish }, { requiredKeys: [] })
      : route.includes('oauth-apps')
        ? fc.record({ clientId: jsonish, clientSecret: jsonish, scopes: jsonish }, { requiredKeys: [] })
        : route.includes('action-scope')
          ? fc.record({ actions: jsonish }, { requiredKeys: [] })
          : route === '/mcp'
            ? fc.record(
                {
                  jsonrpc: fc.constantFrom('2.0', '1.0'),
                  id: jsonish,
                  method: fc.oneof(fc.constantFrom('initialize', 'tools/list', 'tools/call', 'ping'), nasty),
                  params: jsonish,
                },
                { requiredKeys: [] },
              )
            : route.includes('admin/integrations')
              ? fc.record({ id: nasty, name: nasty, description: nasty, baseUrl: nasty, auth: jsonish, actions: jsonish, openapi: jsonish, paths: jsonish }, { requiredKeys: [] })
              : jsonish
  return fc.oneof(
    { weight: 30, arbitrary: shaped.map((v) => ({ text: JSON.stringify(v), kind: 'shaped JSON' })) },
    { weight: 10, arbitrary: jsonish.map((v) => ({ text: JSON.stringify(v) ?? 'null', kind: 'any JSON' })) },
    { weight: 6, arbitrary: pollutingText.map((text) => ({ text, kind: '__proto__ keys' })) },
    {
      weight: 6,
      arbitrary: fc
        .constantFrom('{', '{"a":}', '[1,]', '\u0000', 'nul\u0000l', '{"a":"\\ud800"}', '"\\u0000"', '\uFEFF{}', '', ' ', 'true', '1e999')
        .map((text) => ({ text, kind: 'bad JSON' })),
    },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 12_000 }), fc.boolean()).map(([d, o]) => ({ text: nested(d, o), kind: `nested ${d} deep` })) },
    { weight: 1, arbitrary: fc.constant({ text: `{"q":"${'y'.repeat(t.oversizeBytes)}"}`, kind: 'oversized body' }) },
    { weight: 6, arbitrary: fc.constant({ text: undefined, kind: 'no body' }) },
  )
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant<string[]>(['content-type', 'application/json']) },
  { weight: 4, arbitrary: fc.constant<string[]>([]) },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json, text/plain',
        'application/jsonx',
        '*/*',
        'application/xml',
        'application/json; charset=latin1',
      )
      .map((v) => ['content-type', v]),
  },
)

function authHeaders(t: FuzzTargets): fc.Arbitrary<string[]> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.constant<string[]>(['x-api-key', t.key]) },
    { weight: 3, arbitrary: fc.constant<string[]>(['authorization', `Token ${t.key}`]) },
    { weight: 2, arbitrary: fc.constant<string[]>(['authorization', `Bearer ${t.key}`]) },
    { weight: 2, arbitrary: fc.constant<string[]>([]) },
    { weight: 2, arbitrary: fc.constant<string[]>(['x-api-key', t.key, 'x-api-key', t.key]) },
    { weight: 2, arbitrary: fc.constant<string[]>(['x-api-key', 'pb_wrong', 'authorization', `Token ${t.key}`]) },
    { weight: 1, arbitrary: fc.constantFrom('Token', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Token \t ', `token ${t.key}x`).map((v) => ['authorization', v]) },
    {
      weight: 1,
      arbitrary: fc
        .string({ maxLength: 30 })
        .filter((s) => /^[\x20-\x7e]*$/.test(s))
        .map((v) => ['x-api-key', v]),
    },
  )
}

function idArb(t: FuzzTargets): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...t.connectionIds, ...t.integrationIds) },
    { weight: 6, arbitrary: nasty.map((s) => enc(s.slice(0, 600))) },
    { weight: 2, arbitrary: fc.constantFrom('%00', '%2e%2e', '..', '%ZZ', '%', 'a%2Fb%2Fc', '%C0%AE', '%FF%FE', '000000000000000000000000', 'patchbay%2Fhttp-api%00') },
  )
}

function queryArb(t: FuzzTargets): fc.Arbitrary<string> {
  const pair = fc.tuple(
    fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 8 })),
    fc.oneof(nasty, fc.constantFrom(...t.connectionIds, ...t.actionCodes, 'openai', 'anthropic', 'mcp', 'true')),
  )
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 5, arbitrary: fc.array(pair, { maxLength: 4 }).map((ps) => (ps.length ? `?${ps.map(([k, v]) => `${enc(k)}=${enc(v.slice(0, 3_000))}`).join('&')}` : '')) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '?ids=a&ids=b',
        '?actions=A&actions=B',
        '?state=a&state=b',
        '?format=openai&format=mcp',
        '?%00=1',
        '?a[b]=1',
        '?a[__proto__]=1',
        '?&&&',
        '?=',
        '?q=%',
      ),
    },
  )
}

/**
 * Hostile requests over every route: bad JSON, wrong types, huge and deeply nested values,
 * `__proto__`/`constructor` keys, NUL and non-ASCII, repeated and missing headers and
 * parameters, wrong content types, oversized bodies and odd methods.
 */
export function hostileRequest(t: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const route = fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...ROUTES) },
    { weight: 2, arbitrary: fc.record({ method: fc.constantFrom('GET', 'POST'), path: nasty.map((s) => `/${enc(s.slice(0, 200))}`) }) },
  )
  return route.chain((r) =>
    fc
      .record({
        method: fc.oneof(
          { weight: 12, arbitrary: fc.constant(r.method) },
          { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE', 'FOO') },
        ),
        id: idArb(t),
        query: queryArb(t),
        auth: authHeaders(t),
        type: contentType,
        extra: fc.oneof(
          { weight: 8, arbitrary: fc.constant<string[]>([]) },
          {
            weight: 1,
            arbitrary: fc.constantFrom<string[]>(
              ['accept', 'text/event-stream'],
              ['accept', 'application/json, text/event-stream'],
              ['mcp-session-id', 'nope'],
              ['x-forwarded-for', '10.0.0.1'],
              ['transfer-encoding', 'chunked'],
              ['accept-encoding', 'gzip'],
            ),
          },
        ),
        body: bodyFor(r.path, t),
      })
      .map((x) => {
        const hasBody = x.body.text !== undefined && !['GET', 'HEAD'].includes(x.method)
        return {
          method: x.method,
          path: r.path.replace('{id}', x.id) + x.query,
          headers: [...x.auth, ...(hasBody ? x.type : []), ...x.extra],
          body: hasBody ? x.body.text : undefined,
          kind: hasBody ? x.body.kind : 'no body',
        }
      }),
  )
}

/**
 * Requests every run sends first, whatever the seed: shapes that once found a bug, so it stays
 * closed. `GET /api/v2/admin/integrations?state=a&state=b` was the first of 14 requests a random
 * seed (1024231650) left unanswered. None had reached the hub: the 32 earlier requests with a
 * body and a `transfer-encoding: chunked` header, which undici refuses, had each kept one of the
 * client's 32 sockets busy for good. run-fuzz.ts now sends such bodies as streams (chunked, as
 * undici does it); the 40 chunked bodies below would wedge a 32-socket client again if it came back.
 */
export function fixedCases(t: FuzzTargets): HostileRequest[] {
  const key = ['x-api-key', t.key]
  return [
    { method: 'GET', path: '/api/v2/admin/integrations?state=a&state=b', headers: key, body: undefined, kind: 'fixed: repeated parameter (seed 1024231650)' },
    { method: 'GET', path: '/api/v2/admin/integrations?=', headers: key, body: undefined, kind: 'fixed: empty parameter (seed 1024231650)' },
    { method: 'GET', path: '/admin/oauth-apps/constructor?q=%', headers: [...key, 'accept-encoding', 'gzip'], body: undefined, kind: 'fixed: bad percent (seed 1024231650)' },
    { method: 'POST', path: '/sdk/models/paginate', headers: key, body: `{"q":"${'y'.repeat(t.oversizeBytes)}"}`, kind: 'fixed: oversized body on keep-alive' },
    { method: 'POST', path: '/sdk/models/paginate', headers: ['content-type', 'application/json'], body: '{"q":"x"}', kind: 'fixed: 401 to a body on keep-alive' },
    ...Array.from({ length: 40 }, (_, i) => ({
      method: 'PUT',
      path: `/admin/oauth-apps/chunked-${i}`,
      headers: [...key, 'content-type', 'application/json', 'transfer-encoding', 'chunked'],
      body: '{"clientId":"x"}',
      kind: 'fixed: chunked body (seed 1024231650)',
    })),
  ]
}
