import { describe, expect, it } from 'vitest'
import { validateDefinition } from './validate-definition.js'

/** A minimal definition whose API_KEY scheme signs with SigV4; `patch` changes the scheme. */
function definition(patch: (scheme: Record<string, any>, def: Record<string, any>) => void = () => {}) {
  const scheme: Record<string, any> = {
    inputs: [
      { name: 'region', displayName: 'Region', description: 'AWS Region', required: false, default: 'us-east-1' },
      { name: 'access_key_id', displayName: 'Access key ID', description: 'Key id' },
      { name: 'secret_access_key', displayName: 'Secret access key', description: 'Secret', secret: true },
      { name: 'session_token', displayName: 'Session token', description: 'STS token', required: false, secret: true },
    ],
    apply: {
      awsSigV4: {
        accessKeyId: '{access_key_id}',
        secretAccessKey: '{secret_access_key}',
        sessionToken: '{session_token}',
        region: '{region}',
        service: 'sqs',
      },
    },
  }
  const def: Record<string, any> = {
    id: 'queue',
    name: 'Queue',
    description: 'A queue service.',
    baseUrl: 'https://sqs.{region}.amazonaws.com',
    auth: { API_KEY: scheme },
    actions: [{ code: 'QUEUE_LIST', name: 'List', description: 'List queues.', input: { type: 'object' }, request: { method: 'GET', path: '/' } }],
  }
  patch(scheme, def)
  return def
}

function problems(def: unknown) {
  const r = validateDefinition(def)
  return r.ok ? [] : r.problems
}

describe('apply.awsSigV4 in a definition', () => {
  it('is valid on API_KEY with templates over the scheme inputs, or literals', () => {
    expect(problems(definition())).toEqual([])
    expect(problems(definition((s) => Object.assign(s.apply.awsSigV4, { region: 'eu-west-1', unsignedPayload: true })))).toEqual([])
  })

  it('must name the four required fields', () => {
    expect(problems(definition((s) => delete s.apply.awsSigV4.service))).toEqual([{ field: '/auth/API_KEY/apply/awsSigV4/service', message: 'is required' }])
  })

  it('rejects an unknown field', () => {
    expect(problems(definition((s) => (s.apply.awsSigV4.signQuery = true)))).toEqual([
      { field: '/auth/API_KEY/apply/awsSigV4/signQuery', message: expect.stringMatching(/is not a known field/) },
    ])
  })

  it('may only use inputs of its scheme', () => {
    expect(problems(definition((s) => (s.apply.awsSigV4.secretAccessKey = '{secret_key}')))).toEqual([
      { field: '/auth/API_KEY/apply/awsSigV4/secretAccessKey', message: 'uses {secret_key}, which is not an input of API_KEY' },
    ])
  })

  it('is only allowed on API_KEY', () => {
    const found = problems(
      definition((s, d) => {
        d.auth = { BEARER_TOKEN: s }
      }),
    )
    expect(found).toEqual([{ field: '/auth/BEARER_TOKEN/apply/awsSigV4', message: 'is only allowed on API_KEY' }])
  })

  it('cannot be combined with another Authorization', () => {
    expect(problems(definition((s) => (s.apply.basic = { username: '{access_key_id}', password: '{secret_access_key}' })))).toEqual([
      { field: '/auth/API_KEY/apply/awsSigV4', message: expect.stringMatching(/cannot be combined with basic/) },
    ])
    expect(problems(definition((s) => (s.apply.headers = { authorization: 'x' })))).toEqual([
      { field: '/auth/API_KEY/apply/awsSigV4', message: expect.stringMatching(/cannot be combined with an Authorization header/) },
    ])
  })

  it('wants a literal region and service to be AWS names', () => {
    expect(problems(definition((s) => Object.assign(s.apply.awsSigV4, { region: 'EU West', service: 'S3' })))).toEqual([
      { field: '/auth/API_KEY/apply/awsSigV4/region', message: 'must be a placeholder or a lower-case AWS name such as us-east-1' },
      { field: '/auth/API_KEY/apply/awsSigV4/service', message: 'must be a placeholder or a lower-case AWS name such as s3' },
    ])
  })
})
