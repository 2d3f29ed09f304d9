/**
 * Trigger types of a definition (`triggers:`): what a service can tell the hub, as data. A
 * `webhook` trigger says how the service pushes (signature, secret, routing, challenge, event-kind
 * filter); a `poll` trigger says which action the hub runs on a timer and how it finds new items.
 *
 * @see docs/triggers.md for the format with examples.
 */

/** How a webhook trigger's deliveries are signed. */
export type SignatureScheme = 'hmac-sha256' | 'stripe' | 'slack' | 'standard-webhooks' | 'none'

/** Where the signing secret of a webhook trigger comes from. */
export type SecretSource = 'connection' | 'oauth-app' | 'generated' | 'config'

/** How a webhook's signature is checked. */
export interface WebhookSignatureDefinition {
  /**
   * `hmac-sha256`: hex HMAC-SHA256 of the raw body in `header`, after `prefix` (GitHub
   * `X-Hub-Signature-256: sha256=…`); `stripe`: `Stripe-Signature: t=…,v1=…`; `slack`:
   * `X-Slack-Signature: v0=…` over `v0:{timestamp}:{body}`; `standard-webhooks`: `webhook-id`,
   * `webhook-timestamp`, `webhook-signature: v1,…`; `none`: unsigned (only behind an unguessable URL).
   */
  scheme: SignatureScheme
  /** Header holding the signature (`hmac-sha256` only; other schemes fix their headers). */
  header?: string
  /** Text before the hex digest in the header, e.g. `sha256=`; default none. */
  prefix?: string
  /** Replay tolerance of timestamped schemes, in seconds; default 300. */
  toleranceSeconds?: number
}

/** Where the secret is found. */
export interface WebhookSecretDefinition {
  /**
   * `connection`: a connection input (`input`); `oauth-app`: the tenant's OAuth app of the
   * integration (`field`, default `signing_secret`); `generated`: the hub makes one per trigger
   * instance and returns it at activation; `config`: a field of the trigger's config (`input`).
   */
  source: SecretSource
  /** Connection input or config field name (`connection`, `config`). */
  input?: string
  /** Field of the OAuth app holding it (`oauth-app`). */
  field?: string
}

/** How an inbound event finds its trigger instance. */
export interface WebhookRoutingDefinition {
  /**
   * `url`: one unguessable URL per instance (the default); `payload`: one URL per integration,
   * the value at `path` in the payload matched against connection value `match`.
   */
  by: 'url' | 'payload'
  /** Dotted JSON path in the payload, e.g. `team_id`, `installation.id` (`payload` only). */
  path?: string
  /**
   * The connection value the payload's value must equal (`payload` only): a connection input's
   * name, or `token.<path>` into the OAuth token response kept with the connection (Slack's
   * `token.team.id`).
   */
  match?: string
}

/** A verification handshake the service sends before events (Slack's `url_verification`). */
export interface WebhookChallengeDefinition {
  /** Dotted path and value identifying the handshake, e.g. `type` = `url_verification`. */
  when: { path: string; equals: string }
  /** Dotted path of the value to echo back, e.g. `challenge`. */
  respond: string
}

/** Which deliveries are this trigger's events. */
export interface WebhookFilterDefinition {
  /** Header naming the event kind, e.g. `X-GitHub-Event`. */
  header?: string
  /** Dotted payload path naming the event kind, e.g. `type` (Stripe), `event.type` (Slack). */
  path?: string
  /** Kinds accepted; a trailing `*` matches a prefix (`invoice.*`). Empty or absent: every kind. */
  kinds?: string[]
}

/** The webhook half of a trigger type. */
export interface WebhookTriggerDefinition {
  signature: WebhookSignatureDefinition
  secret?: WebhookSecretDefinition
  routing?: WebhookRoutingDefinition
  challenge?: WebhookChallengeDefinition
  filter?: WebhookFilterDefinition
}

/** The poll half of a trigger type. */
export interface PollTriggerDefinition {
  /** Code of an action of this definition to run. */
  action: string
  /** Fixed inputs of the action (templates over the trigger's config). */
  input?: Record<string, unknown>
  /** Default interval in seconds; at least 60. */
  intervalSeconds: number
  /**
   * Dotted path of the item array in the action's answer, e.g. `messages`; empty: the answer
   * itself. May be one placeholder (`{items_path}`) naming a config field, for generic triggers.
   */
  items: string
  /** Dotted path of an item's id, for dedupe (or one config placeholder). One of `dedupe` or `cursor` is required. */
  dedupe?: string
  /**
   * A cursor the hub advances: the action input it fills (a dotted path into the input, e.g.
   * `filter.last_edited_time.after`), the item path it reads the next value from (the greatest
   * wins), and the value of the first run (default: the input is left out).
   */
  cursor?: { input: string; from: string; initial?: string }
}

/** One trigger type of an integration. */
export interface TriggerDefinition {
  /** UPPER_SNAKE, unique in the integration, e.g. `GITHUB_ISSUE_EVENT`. */
  slug: string
  name: string
  description: string
  /** JSON Schema (`type: object`) of the config given at activation. */
  config: Record<string, unknown>
  /** JSON Schema of one event's `data`. */
  payload: Record<string, unknown>
  type: 'webhook' | 'poll'
  webhook?: WebhookTriggerDefinition
  poll?: PollTriggerDefinition
}

const dottedPath = { type: 'string', pattern: '^[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*$' } as const
const placeholder = { type: 'string', pattern: '^\\{[A-Za-z_][A-Za-z0-9_]*\\}$' } as const
const objectSchema = { type: 'object', required: ['type'], properties: { type: { const: 'object' } } } as const

/** JSON Schema of one {@link TriggerDefinition} (used inside the integration definition schema). */
export const triggerDefinitionSchema = {
  type: 'object',
  required: ['slug', 'name', 'description', 'config', 'payload', 'type'],
  additionalProperties: false,
  properties: {
    slug: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 1 },
    config: objectSchema,
    payload: { type: 'object' },
    type: { enum: ['webhook', 'poll'] },
    webhook: {
      type: 'object',
      required: ['signature'],
      additionalProperties: false,
      properties: {
        signature: {
          type: 'object',
          required: ['scheme'],
          additionalProperties: false,
          properties: {
            scheme: { enum: ['hmac-sha256', 'stripe', 'slack', 'standard-webhooks', 'none'] },
            header: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
            prefix: { type: 'string' },
            toleranceSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
          },
        },
        secret: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: {
            source: { enum: ['connection', 'oauth-app', 'generated', 'config'] },
            input: { type: 'string', minLength: 1 },
            field: { type: 'string', minLength: 1 },
          },
        },
        routing: {
          type: 'object',
          required: ['by'],
          additionalProperties: false,
          properties: { by: { enum: ['url', 'payload'] }, path: dottedPath, match: { type: 'string', minLength: 1 } },
        },
        challenge: {
          type: 'object',
          required: ['when', 'respond'],
          additionalProperties: false,
          properties: {
            when: {
              type: 'object',
              required: ['path', 'equals'],
              additionalProperties: false,
              properties: { path: dottedPath, equals: { type: 'string' } },
            },
            respond: dottedPath,
          },
        },
        filter: {
          type: 'object',
          additionalProperties: false,
          properties: {
            header: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
            path: dottedPath,
            kinds: { type: 'array', items: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
    poll: {
      type: 'object',
      required: ['action', 'intervalSeconds', 'items'],
      additionalProperties: false,
      properties: {
        action: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
        input: { type: 'object' },
        intervalSeconds: { type: 'integer', minimum: 60 },
        items: { anyOf: [{ type: 'string', pattern: '^([A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*)?$' }, placeholder] },
        dedupe: { anyOf: [dottedPath, placeholder] },
        cursor: {
          type: 'object',
          required: ['input', 'from'],
          additionalProperties: false,
          properties: { input: dottedPath, from: dottedPath, initial: { type: 'string' } },
        },
      },
    },
  },
} as const
