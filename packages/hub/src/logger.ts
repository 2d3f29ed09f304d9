import { pino, type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from './config.js'

/**
 * Paths pino censors wherever they appear. The hub never logs request bodies or credentials on
 * purpose; this is the safety net for the day someone adds a careless log line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.password',
  '*.api_key',
  '*.apiKey',
  '*.secret',
  '*.client_secret',
  '*.secrets',
  '*.masterKey',
]

/**
 * The hub's logger: JSON lines with secrets redacted.
 *
 * @example
 * ```ts
 * const logger = createLogger('info')
 * ```
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { service: 'patchbay' } }
  return destination ? pino(options, destination) : pino(options)
}
