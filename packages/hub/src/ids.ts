import { randomBytes } from 'node:crypto'

/** A new random 24-hex id, the shape of aiXplain's (Mongo ObjectId) ids. */
export function newId(): string {
  return randomBytes(12).toString('hex')
}
