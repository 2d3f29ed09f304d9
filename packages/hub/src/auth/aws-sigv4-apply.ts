import { PatchbayError, type ApplyDefinition, type AwsSigV4ApplyDefinition } from '@patchbay/core'
import { renderTemplate, type Lookup } from '../catalog/template.js'
import { signAwsSigV4 } from './aws-sigv4.js'
import type { OutgoingRequest, SchemeCredentials } from './scheme.js'

/** A built outbound request, as the runner holds it just before sending. */
export interface SignableRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: string | undefined
}

/**
 * Signs a finished request per a definition's `apply.awsSigV4` block: renders its templates over
 * the scheme's inputs (`lookup`), then sets `x-amz-date`, `x-amz-content-sha256` (S3),
 * `x-amz-security-token` and `authorization` on `req.headers`, replacing any of those given.
 *
 * Used by {@link applyAwsSigV4}, the apply strategy the static schemes run last.
 *
 * @example
 * ```ts
 * signBuiltRequest({ accessKeyId: '{access_key_id}', secretAccessKey: '{secret_access_key}', region: '{region}', service: 's3' },
 *   (n) => secrets[n] ?? config[n], built)
 * ```
 * @throws {PatchbayError} MISSING_INPUT when a credential has no value; VALIDATION for a region or
 *   service that is not an AWS name.
 */
export function signBuiltRequest(def: AwsSigV4ApplyDefinition, lookup: Lookup, req: SignableRequest): void {
  const value = (field: keyof AwsSigV4ApplyDefinition & string, template: string) => {
    const v = renderTemplate(template, lookup, String)
    if (v === undefined || v === '') {
      throw new PatchbayError('MISSING_INPUT', `The connection has no value for AWS ${field}; reconnect with it`)
    }
    return v
  }
  const sessionToken = def.sessionToken === undefined ? undefined : renderTemplate(def.sessionToken, lookup, String)
  let added: Record<string, string>
  try {
    added = signAwsSigV4(
      { method: req.method, url: req.url, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}) },
      {
        accessKeyId: value('accessKeyId', def.accessKeyId),
        secretAccessKey: value('secretAccessKey', def.secretAccessKey),
        ...(sessionToken ? { sessionToken } : {}),
      },
      { region: value('region', def.region), service: value('service', def.service), unsignedPayload: def.unsignedPayload ?? false },
    )
  } catch (err) {
    if (err instanceof TypeError) throw new PatchbayError('VALIDATION', `Cannot sign the request: ${err.message}`)
    throw err
  }
  for (const [name, v] of Object.entries(added)) {
    for (const existing of Object.keys(req.headers)) if (existing.toLowerCase() === name) delete req.headers[existing]
    req.headers[name] = v
  }
}

/**
 * `apply.awsSigV4`: signs the finished request with AWS Signature Version 4. Registered last in
 * the static schemes' apply strategies, so the signature covers every header they set.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export const applyAwsSigV4 = (apply: ApplyDefinition, _credentials: SchemeCredentials, lookup: Lookup): ((request: OutgoingRequest) => OutgoingRequest) | undefined => {
  const def = apply.awsSigV4
  if (!def) return undefined
  return (request) => {
    signBuiltRequest(def, lookup, request)
    return request
  }
}
