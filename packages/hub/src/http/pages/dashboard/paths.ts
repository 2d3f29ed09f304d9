/** Where the dashboard is served. */
export const DASHBOARD_PREFIX = '/dashboard'

/**
 * Whether a path belongs to the dashboard. Its pages sign in with a session cookie, not an API
 * key, so the key hook of server.ts lets them through and the dashboard's own hook checks the
 * session (session.ts).
 */
export function isDashboardPath(path: string): boolean {
  return path === DASHBOARD_PREFIX || path.startsWith(`${DASHBOARD_PREFIX}/`)
}
