import { PatchbayError } from '@patchbay/core'
import { describe, expect, it } from 'vitest'
import { signBuiltRequest, type SignableRequest } from './aws-sigv4-apply.js'
import { signAwsSigV4 } from './aws-sigv4.js'

const DEF = {
  accessKeyId: '{access_key_id}',
  secretAccessKey: '{secret_access_key}',
  sessionToken: '{session_token}',
  region: '{region}',
  service: 's3',
}
const INPUTS: Record<string, string> = { access_key_id: 'AKIDEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'eu-west-1' }

function built(): SignableRequest {
  return { method: 'PUT', url: 'https://s3.eu-west-1.amazonaws.com/b/k%2Fx', headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer old' }, body: 'hi' }
}

describe('signBuiltRequest', () => {
  it('renders the templates and sets the SigV4 headers, replacing a given Authorization', () => {
    const req = built()
    signBuiltRequest(DEF, (n) => INPUTS[n], req)
    expect(req.headers['Authorization']).toBeUndefined()
    expect(req.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    )
    const expected = signAwsSigV4(
      { method: 'PUT', url: req.url, headers: { 'Content-Type': 'text/plain' }, body: 'hi' },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: INPUTS['secret_access_key'] as string },
      { region: 'eu-west-1', service: 's3', now: new Date(`${req.headers['x-amz-date']?.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')}`) },
    )
    expect(req.headers['authorization']).toBe(expected['authorization'])
    expect(req.headers['x-amz-security-token']).toBeUndefined() // optional input not given
  })

  it('signs a session token when the connection has one', () => {
    const req = built()
    signBuiltRequest(DEF, (n) => ({ ...INPUTS, session_token: 'FQoG-token' })[n], req)
    expect(req.headers['x-amz-security-token']).toBe('FQoG-token')
    expect(req.headers['authorization']).toContain('x-amz-security-token')
  })

  it('says which credential is missing, and refuses a region that is not an AWS name', () => {
    let missing: unknown
    try {
      signBuiltRequest(DEF, (n) => (n === 'secret_access_key' ? undefined : INPUTS[n]), built())
    } catch (e) {
      missing = e
    }
    expect(missing).toBeInstanceOf(PatchbayError)
    expect(missing).toMatchObject({ code: 'MISSING_INPUT', message: expect.stringContaining('secretAccessKey') })
    expect(() => signBuiltRequest(DEF, (n) => ({ ...INPUTS, region: 'evil.example/x' })[n], built())).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('region must look like us-east-1') }),
    )
  })
})
