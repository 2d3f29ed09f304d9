// oidc-provider ships no types and @types/oidc-provider tracks a newer major; the tests use a
// small, stable part of its API (see test/support/oauth2-server.ts).
declare module 'oidc-provider' {
  const Provider: any
  type Provider = any
  export default Provider
}
