import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { openStore } from '@patchbay/hub'
import { call, startTestHub } from '../support/test-hub.js'

let slow: Server | undefined
afterAll(async () => {
  slow?.closeAllConnections()
  await new Promise((resolve) => slow?.close(resolve))
})

it('a graceful stop lets asynchronous runs finish and store their result', async () => {
  slow = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"slow":true}')
    }, 600)
  })
  await new Promise<void>((resolve) => slow?.listen(0, '127.0.0.1', resolve))
  const dir = await mkdtemp(join(tmpdir(), 'patchbay-graceful-'))
  await writeFile(
    join(dir, 'slow.json'),
    JSON.stringify({
      id: 'slow',
      name: 'Slow',
      description: 'Answers after 600 ms',
      baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
      auth: { NO_AUTH: {} },
      actions: [{ code: 'WAIT', name: 'Wait', description: 'Wait.', input: { type: 'object' }, request: { method: 'GET', path: '/' } }],
    }),
  )
  const hub = await startTestHub({ catalogDirs: [dir] })
  const conn = await call(hub, 'POST', '/api/v2/execute/slow', { authScheme: 'NO_AUTH' })
  const ack = await call(hub, 'POST', `/api/v1/execute/${conn.body.data.id}`, { action: 'WAIT', data: {} })
  expect(ack.body.status).toBe('IN_PROGRESS')
  await hub.hub.close() // returns only after the run stored its result
  expect(hub.logs.some((l) => l.includes('waiting for asynchronous runs to finish') && l.includes('"runs":1'))).toBe(true)
  const store = openStore(hub.dbFile)
  try {
    const run = await store.db.selectFrom('runs').selectAll().where('id', '=', ack.body.requestId).executeTakeFirstOrThrow()
    expect(run.status).toBe('SUCCESS')
    expect(JSON.parse(run.result as string).data).toEqual({ slow: true })
  } finally {
    await store.close()
    await rm(hub.dataDir, { recursive: true, force: true })
  }
})
