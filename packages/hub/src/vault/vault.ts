import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { PatchbayError } from '@patchbay/core'

/** What a ciphertext is bound to: decrypting it under any other binding fails. */
export interface SecretBinding {
  tenantId: string
  connectionId: string
}

/** A 32-byte master key and its short public id. */
export interface MasterKey {
  /** 8 hex characters identifying the key (an HMAC of it, not a hash a key could be guessed from). */
  readonly id: string
  readonly key: Buffer
}

/**
 * A sealed value that does not open under the binding asked for: tampered with, or moved from
 * another row or purpose (e.g. an OAuth state's ciphertext put in a connection's secrets).
 */
export class SealedValueRejected extends PatchbayError {
  constructor(options?: { cause?: unknown }) {
    super('INTERNAL', 'Stored credentials failed authentication (tampered with, or bound to another connection)', options)
  }
}

const FORMAT = 'pb1'
const NONCE_BYTES = 12
const TAG_BYTES = 16

/**
 * Parses a master key given as base64 of exactly 32 bytes.
 *
 * @throws {TypeError} saying what the key must look like (never echoing it).
 * @example
 * ```ts
 * const key = parseMasterKey(process.env.PATCHBAY_MASTER_KEY!)
 * ```
 */
export function parseMasterKey(base64: string): MasterKey {
  const key = Buffer.from(base64.trim(), 'base64')
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new TypeError('The master key must be base64 of exactly 32 random bytes; generate one with `openssl rand -base64 32`')
  }
  return { id: createHmac('sha256', key).update('patchbay:key-id').digest('hex').slice(0, 8), key }
}

/** A fresh random master key, base64. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64')
}

/**
 * Authenticated encryption of credentials at rest: AES-256-GCM with a random 96-bit nonce per
 * write, and associated data binding the tenant, the connection and the key id, so a ciphertext
 * copied to another row or tenant does not decrypt.
 *
 * The data-encryption key is derived from each master key with HKDF once, at construction; the
 * hot path does no key derivation. Several master keys may be loaded (rotation): the first one
 * encrypts, any of them decrypts, chosen by the key id stored in the ciphertext.
 *
 * Format: `pb1.<keyId>.<base64url(nonce ‖ ciphertext ‖ tag)>`.
 *
 * @example
 * ```ts
 * const vault = new Vault([parseMasterKey(base64)])
 * const ct = vault.seal({ token }, { tenantId, connectionId })
 * vault.open(ct, { tenantId, connectionId }) // { token }
 * ```
 * @see NIST SP 800-38D (GCM); RFC 5869 (HKDF)
 */
export class Vault {
  readonly #keys = new Map<string, Buffer>()
  readonly #activeId: string

  constructor(masterKeys: readonly MasterKey[]) {
    const first = masterKeys[0]
    if (!first) throw new TypeError('Vault needs at least one master key')
    for (const mk of masterKeys) {
      const dek = Buffer.from(hkdfSync('sha256', mk.key, 'patchbay', 'patchbay:credentials:v1', 32))
      this.#keys.set(mk.id, dek)
    }
    this.#activeId = first.id
  }

  /** The id of the key new ciphertexts are written with. */
  get activeKeyId(): string {
    return this.#activeId
  }

  /** Ids of every loaded key (the sealing one first). */
  get keyIds(): string[] {
    return [...this.#keys.keys()]
  }

  /** Encrypts a JSON-serialisable value bound to `binding`. */
  seal(value: unknown, binding: SecretBinding): string {
    const key = this.#keys.get(this.#activeId) as Buffer
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, nonce)
    cipher.setAAD(aad(this.#activeId, binding))
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()])
    return `${FORMAT}.${this.#activeId}.${Buffer.concat([nonce, ct]).toString('base64url')}`
  }

  /**
   * Decrypts what {@link seal} wrote under the same binding.
   *
   * @throws {PatchbayError} INTERNAL when the key is unknown; {@link SealedValueRejected} when the
   *   ciphertext was tampered with or moved. The message never includes the ciphertext or the key.
   */
  open<T = unknown>(sealed: string, binding: SecretBinding): T {
    const [format, keyId, payload] = sealed.split('.')
    if (format !== FORMAT || keyId === undefined || payload === undefined) {
      throw new PatchbayError('INTERNAL', 'Stored credentials are in an unknown format')
    }
    const key = this.#keys.get(keyId)
    if (!key) {
      throw new PatchbayError('INTERNAL', `Stored credentials were encrypted with master key ${keyId}, which this hub does not have`)
    }
    const raw = Buffer.from(payload, 'base64url')
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new PatchbayError('INTERNAL', 'Stored credentials are truncated')
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES))
    decipher.setAAD(aad(keyId, binding))
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES))
    try {
      const plain = Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()])
      return JSON.parse(plain.toString('utf8')) as T
    } catch (cause) {
      throw new SealedValueRejected({ cause })
    }
  }
}

/**
 * The id of the master key a sealed value was written with (`pb1.<keyId>.…`), or undefined when
 * the value is not in the vault's format. Reads no secret.
 *
 * @example
 * ```ts
 * sealedKeyId('pb1.1a2b3c4d.AAAA') // '1a2b3c4d'
 * ```
 */
export function sealedKeyId(sealed: string): string | undefined {
  const [format, keyId, payload] = sealed.split('.')
  return format === FORMAT && keyId && payload !== undefined ? keyId : undefined
}

function aad(keyId: string, b: SecretBinding): Buffer {
  // Length-prefixed so that no two different bindings serialise to the same bytes.
  const parts = [FORMAT, keyId, b.tenantId, b.connectionId]
  return Buffer.from(parts.map((p) => `${p.length}:${p}`).join('|'), 'utf8')
}
