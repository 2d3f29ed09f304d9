import type { FastifyInstance } from 'fastify'

/** `GET /health`: public, answers `{ status: 'ok' }` while the process serves. */
export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/health', async () => ({ status: 'ok' }))
}
