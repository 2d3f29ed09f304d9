/**
 * `connect_sessions`: a link an app hands its end user to connect an account (Connect page). Only
 * the SHA-256 of the token is stored; JSON columns are text.
 */
export interface ConnectSessionTable {
  /** SHA-256 (hex) of the session token. */
  token_hash: string
  /** A public id (`cs_…`), for logs and records; never the token. */
  id: string
  tenant_id: string
  end_user_id: string
  end_user_email: string | null
  end_user_display_name: string | null
  /** JSON array of integration ids (slugs); null: every integration. */
  allowed_integrations: string | null
  /** JSON object of string tags, copied to the connection; null: none. */
  tags: string | null
  success_redirect_url: string | null
  error_redirect_url: string | null
  /** The connection this session re-authorises, when it is a reconnect session. */
  reconnect_connection_id: string | null
  /** The connection the session started (OAuth, still PENDING) or completed. */
  connection_id: string | null
  /** The connection's version when its OAuth flow started: a higher one means the flow completed. */
  started_version: number | null
  created_at: string
  expires_at: string
  /** When the session completed a connection (single use); null while usable. */
  used_at: string | null
}

/** `tenant_connect_settings`: a tenant's Connect page settings. */
export interface TenantConnectSettingsTable {
  tenant_id: string
  /** JSON array of origins (`https://app.example.com`) allowed to embed the page and be redirected to. */
  allowed_origins: string
  product_name: string | null
  logo_url: string | null
  /** `#rrggbb`. */
  accent_color: string | null
  updated_at: string
}
