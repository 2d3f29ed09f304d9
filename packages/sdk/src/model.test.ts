import { beforeEach, describe, expect, it } from 'vitest'
import { API_KEY, BASE, FakeHub, fakeClock, PLAIN_MODEL_ID } from '../test/fake-hub.js'
import { InternalError, NetworkError, ResourceError } from './errors.js'
import { buildPayload, Model, modelInitFromRecord } from './model.js'

describe('buildPayload (§4.1)', () => {
  it('uses an object as the body', () => {
    expect(buildPayload({ text: 'hi' })).toEqual({ text: 'hi' })
  })
  it('JSON-parses strings: objects become the body, other values are wrapped (numbers as strings)', () => {
    expect(buildPayload('{"text":"hi"}')).toEqual({ text: 'hi' })
    expect(buildPayload('[1,2]')).toEqual({ data: [1, 2] })
    expect(buildPayload('42')).toEqual({ data: '42' })
    expect(buildPayload('"quoted"')).toEqual({ data: 'quoted' })
    expect(buildPayload('null')).toEqual({ data: null })
  })
  it('wraps an unparsable string as {data: text}', () => {
    expect(buildPayload('hello world')).toEqual({ data: 'hello world' })
    expect(buildPayload(' ')).toEqual({ data: ' ' })
  })
  it('wraps other values as they are', () => {
    expect(buildPayload(7)).toEqual({ data: 7 })
    expect(buildPayload(['a'])).toEqual({ data: ['a'] })
  })
  it('merges parameters at the top level, over the input', () => {
    expect(buildPayload('hello', { language: 'en', data: 'override' })).toEqual({ data: 'override', language: 'en' })
    expect(buildPayload({ text: 'hi' }, { temperature: 0.1 })).toEqual({ text: 'hi', temperature: 0.1 })
  })
  it('does not change the caller object', () => {
    const input = { text: 'hi' }
    buildPayload(input, { extra: 1 })
    expect(input).toEqual({ text: 'hi' })
  })
})

describe('Model', () => {
  let hub: FakeHub
  let clock: ReturnType<typeof fakeClock>
  let model: Model

  beforeEach(() => {
    hub = new FakeHub()
    clock = fakeClock()
    model = new Model({ id: PLAIN_MODEL_ID, name: 'Echo', supplier: { id: 1, name: 'aiXplain', code: 'aixplain' } }, { config: hub.config({ sleep: clock.sleep, now: clock.now }) })
  })

  it('has the v1 defaults and string form', () => {
    const bare = new Model({ id: 'm1' }, { config: hub.config() })
    expect(bare.name).toBe('')
    expect(bare.supplier).toBe('aiXplain')
    expect(bare.functionType).toBe('ai')
    expect(bare.isSubscribed).toBe(false)
    expect(bare.apiKey).toBe(API_KEY)
    expect(bare.url).toBe(`${BASE}/api/v1/execute`)
    expect(bare.backendUrl).toBe(BASE)
    expect(String(bare)).toBe('Model:  by aiXplain (id=m1)')
    expect(String(model)).toBe(`Model: Echo by aiXplain (id=${PLAIN_MODEL_ID})`)
    expect(() => new Model({ id: '' }, { config: hub.config() })).toThrow(TypeError)
  })

  it('accepts a per-model apiKey without one in the environment', () => {
    const m = new Model({ id: 'm1', apiKey: 'per-model' }, { config: { env: {}, fetch: hub.fetch } })
    expect(m.apiKey).toBe('per-model')
  })

  it('runs on the v2 execute URL with x-api-key and a JSON body', async () => {
    const response = await model.run('hello', { parameters: { language: 'en' } })
    expect(response.status).toBe('SUCCESS')
    expect(response.completed).toBe(true)
    const [request] = hub.requests
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe(`${BASE}/api/v2/execute/${PLAIN_MODEL_ID}`)
    expect(request?.headers).toEqual({ 'x-api-key': API_KEY, 'content-type': 'application/json' })
    expect(request?.body).toEqual({ data: 'hello', language: 'en' })
    expect(response.data).toEqual({ echo: { data: 'hello', language: 'en' } })
  })

  it('rewrites /api/v1/execute to /api/v2/execute for sync runs, but not for runAsync', async () => {
    hub.intercept(() => ({ body: { status: 'SUCCESS', completed: true, data: 1 } }))
    const m = new Model({ id: 'x' }, { config: hub.config({ modelsRunUrl: 'http://models.test/api/v1/execute' }) })
    await m.run({ a: 1 })
    await m.runAsync({ a: 1 })
    expect(hub.requests.map((r) => r.url)).toEqual(['http://models.test/api/v2/execute/x', 'http://models.test/api/v1/execute/x'])
  })

  it('runAsync reports the poll URL with completed=false, whatever the body says', async () => {
    hub.intercept(() => ({ body: { completed: true, status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run1` } }))
    const started = await model.runAsync('hello')
    expect(hub.requests[0]?.url).toBe(`${BASE}/api/v1/execute/${PLAIN_MODEL_ID}`)
    expect(started.status).toBe('IN_PROGRESS')
    expect(started.completed).toBe(false)
    expect(started.url).toBe(`${BASE}/api/v1/data/run1`)
  })

  it('polls an IN_PROGRESS run with backoff until it completes', async () => {
    hub.intercept((r) => (r.method === 'POST' ? { body: { status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run1` } } : undefined))
    hub.polls.set('run1', [
      { completed: false },
      { completed: false, status: 'IN_PROGRESS' },
      { completed: false },
      { completed: true, status: 'SUCCESS', data: 'Test Model Result', usedCredits: 0.05, runTime: 1.2, usage: { total_tokens: 30 } },
    ])
    const response = await model.run('hello')
    expect(response.status).toBe('SUCCESS')
    expect(response.data).toBe('Test Model Result')
    expect(response.usedCredits).toBe(0.05)
    expect(response.runTime).toBe(1.2)
    const polls = hub.sent('GET', '/api/v1/data/run1')
    expect(polls).toHaveLength(4)
    expect(polls[0]?.headers).toEqual({ 'x-api-key': API_KEY, 'content-type': 'application/json' })
    expect(clock.waits).toHaveLength(3)
    expect(clock.waits[0]).toBeCloseTo(500)
    expect(clock.waits[1]).toBeCloseTo(550)
    expect(clock.waits[2]).toBeCloseTo(605)
  })

  it('clamps the first wait to 0.2 s and stops growing it at 60 s', async () => {
    hub.polls.set('run1', [{ completed: false }, { completed: false }, { completed: true, data: 'ok' }])
    await model.syncPoll(`${BASE}/api/v1/data/run1`, { waitTime: 0.01 })
    expect(clock.waits[0]).toBeCloseTo(200)
    expect(clock.waits[1]).toBeCloseTo(220)

    const slow = fakeClock()
    const m = new Model({ id: 'm' }, { config: hub.config({ sleep: slow.sleep, now: slow.now }) })
    hub.polls.set('run2', [{ completed: false }])
    await m.syncPoll(`${BASE}/api/v1/data/run2`, { waitTime: 59, timeout: 400 })
    expect(slow.waits.map((w) => Math.round(w))).toEqual([59000, 64900, 64900, 64900, 64900, 64900, 64900, 64900])
  })

  it('gives up after the timeout with "No response from the service."', async () => {
    hub.intercept((r) => (r.method === 'POST' ? { body: { status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run1` } } : undefined))
    hub.polls.set('run1', [{ completed: false }])
    const response = await model.run('hello', { timeout: 2 })
    expect(response.status).toBe('FAILED')
    expect(response.completed).toBe(false)
    expect(response.errorMessage).toBe('No response from the service.')
    // Checks happen before each sleep, as in v1: polls at 0, 500, 1050, 1655 and 2320.5 ms.
    expect(hub.sent('GET', '/api/v1/data/')).toHaveLength(5)
  })

  it('stops polling when the poll URL cannot be reached', async () => {
    hub.intercept((r) =>
      r.method === 'GET'
        ? (() => {
            throw new TypeError('fetch failed')
          })()
        : undefined,
    )
    const response = await model.syncPoll(`${BASE}/api/v1/data/run1`)
    expect(response.status).toBe('FAILED')
    expect(response.errorMessage).toBe('No response from the service.')
    expect(hub.sent('GET', '/api/v1/data/')).toHaveLength(1)
  })

  it('keeps polling over an unreadable poll body', async () => {
    hub.polls.set('run1', [{ status: 'IN_PROGRESS' }, { completed: true, data: 'ok' }])
    const one = await model.poll(`${BASE}/api/v1/data/run1`)
    expect(one.status).toBe('FAILED')
    expect(one.completed).toBe(false)
    expect(one.errorMessage).toMatch(/no 'completed' field/)
    const done = await model.syncPoll(`${BASE}/api/v1/data/run1`)
    expect(done.status).toBe('SUCCESS')
  })

  it('resolves a relative poll URL against the execute host', async () => {
    hub.polls.set('run1', [{ completed: true, data: 'ok' }])
    await model.poll('/api/v1/data/run1')
    expect(hub.requests[0]?.url).toBe(`${BASE}/api/v1/data/run1`)
  })

  it('throws NetworkError from poll() when the URL is unreachable', async () => {
    hub.intercept(() => {
      throw new TypeError('fetch failed')
    })
    await expect(model.poll(`${BASE}/api/v1/data/x`)).rejects.toBeInstanceOf(NetworkError)
  })

  describe('poll status (§4.4)', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['completed → SUCCESS', { completed: true, data: 'x' }, 'SUCCESS'],
      ['completed + error_message → FAILED', { completed: true, error_message: 'Some error occurred' }, 'FAILED'],
      ['completed + supplierError → FAILED', { completed: true, supplierError: 'upstream' }, 'FAILED'],
      ['not completed → IN_PROGRESS', { completed: false }, 'IN_PROGRESS'],
      ['explicit status wins', { completed: true, status: 'FAILED', data: 'x' }, 'FAILED'],
      ['explicit SUCCESS wins over error_message', { completed: true, status: 'SUCCESS', error_message: '' }, 'SUCCESS'],
      ['invalid status falls back to derived', { completed: true, status: 'weird', error_message: 'e' }, 'FAILED'],
    ]
    it.each(cases)('%s', async (_, body, status) => {
      hub.polls.set('p', [body])
      const response = await model.poll(`${BASE}/api/v1/data/p`)
      expect(response.status).toBe(status)
    })

    it('reads the poll failure message', async () => {
      hub.polls.set('p', [{ completed: true, status: 'FAILED', error_message: 'Some error occurred' }])
      expect((await model.poll(`${BASE}/api/v1/data/p`)).errorMessage).toBe('Some error occurred')
    })
  })

  describe('call_run_endpoint classification', () => {
    it('treats a 2xx without status and with data as IN_PROGRESS', async () => {
      hub.intercept((r) => (r.method === 'POST' ? { body: { data: `${BASE}/api/v1/data/run1` } } : undefined))
      hub.polls.set('run1', [{ completed: true, data: 'done' }])
      const response = await model.run('x')
      expect(response.status).toBe('SUCCESS')
      expect(response.data).toBe('done')
    })

    it('fails an IN_PROGRESS answer with no data', async () => {
      hub.intercept(() => ({ body: { status: 'IN_PROGRESS', data: null } }))
      const response = await model.run('x')
      expect(response.status).toBe('FAILED')
      expect(response.errorMessage).toBe('Model Run: An error occurred while processing your request.')
      expect(hub.requests).toHaveLength(1)
    })

    it('returns a 2xx FAILED body as it is', async () => {
      hub.intercept(() => ({
        body: { status: 'FAILED', completed: true, error_message: 'GitHub said 404', supplierError: 'Not Found', statusCode: 480 },
      }))
      const response = await model.run('x')
      expect(response.status).toBe('FAILED')
      expect(response.errorMessage).toBe('GitHub said 404')
      expect(response.get('supplierError')).toBe('Not Found')
    })

    it('coerces an unknown status to FAILED', async () => {
      hub.intercept(() => ({ body: { status: 'DONE', completed: true, data: 1 } }))
      expect((await model.run('x')).status).toBe('FAILED')
    })

    it('fails a 2xx that is not a JSON object', async () => {
      hub.intercept(() => ({ text: 'OK' }))
      const response = await model.run('x')
      expect(response.status).toBe('FAILED')
      expect(response.errorMessage).toMatch(/^Model Run: An error occurred while processing your request\./)
    })

    it('never throws on a transport failure', async () => {
      hub.intercept(() => {
        throw new TypeError('fetch failed')
      })
      const response = await model.run('x')
      expect(response.status).toBe('FAILED')
      expect(response.errorMessage).toMatch(/^Model Run: An error occurred while processing your request\. \(fetch failed\)/)
      expect(response.errorCode).toBe('AX-NET-1000')
    })

    const statuses: Array<[number, string, string]> = [
      [400, 'AX-VAL-1000', 'Bad request: Please verify the request payload and ensure it is correct.'],
      [401, 'AX-AUTH-1000', 'Unauthorized API key: Please verify the spelling of the API key and its current validity.'],
      [402, 'AX-BIL-1000', 'Payment required: Please ensure you have enough credits to run this asset.'],
      [403, 'AX-RES-1000', 'Forbidden access: Please verify the API key and its current validity.'],
      [404, 'AX-RES-1000', 'Resource not found: Please verify the spelling of the resource and its current availability.'],
      [429, 'AX-SUP-1000', 'Rate limit exceeded: Please try again later.'],
      [465, 'AX-RES-1000', 'Subscription-related error: Please ensure that your subscription is active and has not expired.'],
      [475, 'AX-BIL-1000', 'Billing-related error: Please ensure you have enough credits to run this asset.'],
      [485, 'AX-SUP-1000', 'Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access.'],
      [495, 'AX-VAL-1000', 'Validation-related error: Please verify the request payload and ensure it is correct.'],
      [500, 'AX-INT-1000', 'Internal server error: Please try again later.'],
      [501, 'AX-INT-1000', 'Unspecified Server Error (Status 501)'],
      [503, 'AX-SVC-1000', 'Service unavailable: Please try again later.'],
      [504, 'AX-NET-1000', 'Gateway timeout: Please try again later.'],
      [418, 'AX-INT-1000', 'Unspecified Client Error (Status 418)'],
    ]
    it.each(statuses)('maps HTTP %i to a FAILED response, never a throw', async (status, code, lead) => {
      hub.intercept(() => ({ status, body: 'An unspecified error occurred' }))
      const response = await model.run('x')
      expect(response.status).toBe('FAILED')
      expect(response.completed).toBe(true)
      expect(response.errorMessage).toBe(`${lead} Details: An unspecified error occurred`)
      expect(response.errorCode).toBe(code)
      expect(response.get('statusCode')).toBe(status)
    })

    it("uses the body's `error` as details, and 'unspecified error' for a non-JSON body", async () => {
      hub.intercept(() => ({ status: 400, body: { statusCode: 400, message: 'x', error: 'err.missing_input', supplierError: 's' } }))
      const first = await model.run('x')
      expect(first.errorMessage).toBe('Bad request: Please verify the request payload and ensure it is correct. Details: err.missing_input')
      expect(first.get('supplierError')).toBe('s')
      const other = new FakeHub()
      other.intercept(() => ({ status: 502, text: '<html>Bad Gateway</html>' }))
      const response = await new Model({ id: 'm' }, { config: other.config() }).run('x')
      expect(response.errorMessage).toBe('Unspecified Server Error (Status 502) Details: unspecified error')
    })

    it('does not poll after an HTTP error, and runAsync does not throw either', async () => {
      hub.intercept(() => ({ status: 401, body: { error: 'err.unauthorized' } }))
      const response = await model.runAsync('x')
      expect(response.status).toBe('FAILED')
      expect(response.errorMessage).toMatch(/^Unauthorized API key/)
      expect(hub.requests).toHaveLength(1)
    })
  })

  describe('delete', () => {
    it('sends DELETE sdk/models/{id} with Token auth and accepts 200', async () => {
      const id = hub.addConnection('6a0000000000000000000001', 'My GitHub')
      const connection = new Model({ id, functionType: 'connection' }, { config: hub.config() })
      await connection.delete()
      const [request] = hub.requests
      expect(request?.method).toBe('DELETE')
      expect(request?.url).toBe(`${BASE}/sdk/models/${id}`)
      expect(request?.headers).toEqual({ authorization: `Token ${API_KEY}`, 'content-type': 'application/json' })
      expect(hub.records.has(id)).toBe(false)
    })

    it('throws "Model Deletion Error" on anything but 200', async () => {
      const missing = new Model({ id: 'ffffffffffffffffffffffff' }, { config: hub.config() })
      const error = await missing.delete().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ResourceError)
      expect((error as ResourceError).message).toBe('Model Deletion Error: Make sure the model exists and you are the owner.')
      expect((error as ResourceError).statusCode).toBe(404)

      hub.intercept(() => ({ status: 204 }))
      const noContent = await model.delete().catch((e: unknown) => e)
      expect(noContent).toBeInstanceOf(InternalError)
      expect((noContent as Error).message).toMatch(/^Model Deletion Error/)
    })

    it('throws NetworkError with the same message when unreachable', async () => {
      hub.intercept(() => {
        throw new TypeError('fetch failed')
      })
      await expect(model.delete()).rejects.toThrow(NetworkError)
      await expect(model.delete()).rejects.toThrow('Model Deletion Error: Make sure the model exists and you are the owner.')
    })

    it('percent-encodes the id', async () => {
      hub.intercept(() => ({ status: 200, body: {} }))
      await new Model({ id: 'composio/slack' }, { config: hub.config() }).delete()
      expect(hub.requests[0]?.url).toBe(`${BASE}/sdk/models/composio%2Fslack`)
    })
  })
})

describe('modelInitFromRecord', () => {
  it('maps a v1 record', () => {
    const init = modelInitFromRecord({
      id: 'i',
      name: 'Slack',
      description: 'd',
      status: 'onboarded',
      supplier: { id: 1, name: 'aiXplain', code: 'aixplain' },
      function: { id: 'utilities', name: 'Utilites' },
      functionType: 'connector',
      pricing: { price: 10, currency: 'USD' },
      version: { name: null, id: 'slack' },
      params: [],
      attributes: [
        { name: 'auth_schemes', code: '["BEARER_TOKEN"]' },
        { name: 'embeddingSize', value: 1536 },
      ],
      subscription: { id: 's' },
      createdAt: '2026-03-19T13:27:29.604Z',
      parentModelId: 'p',
    })
    expect(init).toMatchObject({
      id: 'i',
      name: 'Slack',
      description: 'd',
      status: 'onboarded',
      supplier: { id: 1, name: 'aiXplain', code: 'aixplain' },
      function: { id: 'utilities', name: 'Utilites' },
      functionType: 'connector',
      cost: { price: 10, currency: 'USD' },
      version: 'slack',
      isSubscribed: true,
      attributes: [
        { name: 'auth_schemes', code: '["BEARER_TOKEN"]' },
        { name: 'embeddingSize', code: '1536' },
      ],
      additionalInfo: { params: [], parentModelId: 'p' },
    })
    expect(init.createdAt?.toISOString()).toBe('2026-03-19T13:27:29.604Z')
  })

  it('fills defaults and accepts the v2 attribute map', () => {
    const init = modelInitFromRecord({ id: 'i', attributes: { auth_schemes: '["NO_AUTH"]' } })
    expect(init).toMatchObject({ name: '', description: '', supplier: 'aiXplain', functionType: 'ai', status: 'draft', isSubscribed: false })
    expect(init.attributes).toEqual([{ name: 'auth_schemes', code: '["NO_AUTH"]' }])
    expect(() => modelInitFromRecord({ name: 'no id' })).toThrow(TypeError)
  })
})
