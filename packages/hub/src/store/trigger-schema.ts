/**
 * `trigger_instances`: one row per trigger the hub runs for a tenant. Two kinds share the table:
 * `connection` rows are a trigger type of a definition activated on a connection (webhook or
 * poll, `POST /api/v2/connections/{id}/triggers`); `aixplain` rows are aiXplain's v1 trigger
 * records (`/v1/triggers`): a time trigger with its `configuration`, or an external trigger whose
 * `source_trigger_id` names the `connection` row it listens to. JSON columns are text.
 */
export interface TriggerInstanceTable {
  id: string
  tenant_id: string
  /** `connection` or `aixplain`. */
  kind: string
  /** The connection a `connection` row belongs to (deleted with it). */
  connection_id: string | null
  /** The connection's integration (definition id). */
  integration_id: string | null
  /** The trigger type's slug (`connection` rows). */
  slug: string | null
  /** `webhook`, `poll` (connection rows; others may follow), `time` or `external` (aixplain rows). */
  type: string
  /** The config given at activation, JSON, without its secret fields (those are in `secret`). */
  config: string
  /**
   * Sealed by the vault (binding `trigger:<id>`), JSON `{ signingSecret?, inboundToken?,
   * configSecrets? }`: the secret the hub generated or the config gave, and the inbound token
   * (so the webhook URL can be shown again). Null when there is none.
   */
  secret: string | null
  /** SHA-256 (hex) of the inbound URL's token; payload-routed rows of one integration share one. */
  inbound_token_hash: string | null
  /** 1 enabled, 0 paused. */
  enabled: number
  /** aiXplain time trigger `configuration`, JSON. */
  configuration: string | null
  /** When the scheduler runs this row next (polls, time triggers); null: not scheduled. */
  next_run_at: string | null
  last_run_at: string | null
  /** Poll state (events/triggers/poll.ts PollState), JSON. */
  state: string | null
  /** Consecutive failures. */
  failures: number
  /** The last failure's message (free of secrets). */
  last_error: string | null
  created_at: string
  updated_at: string
  /** aiXplain v1 fields (`aixplain/v2/trigger.py`). */
  name: string | null
  /** aiXplain `input` (the query the agent gets), JSON. */
  input: string | null
  asset_type: string | null
  asset_id: string | null
  /** `time` or `external`. */
  trigger_type: string | null
  /** External aiXplain triggers: the `connection` row id (the wire's `triggerId`). */
  source_trigger_id: string | null
  /** 1 or 0. */
  notifications: number
  description: string | null
  retry_count: number | null
}
