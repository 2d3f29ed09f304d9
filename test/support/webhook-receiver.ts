import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

/** One request the receiver got, and whether its signature verified with the `standardwebhooks` package. */
export interface ReceivedWebhook {
  id: string
  timestamp: string
  signature: string
  headers: IncomingHttpHeaders
  body: string
  verified: boolean
  /** The parsed body when it verified. */
  payload: { type: string; timestamp: string; data: Record<string, any> } | undefined
}

/** A local webhook receiver that verifies every request with the endpoint's secret. */
export interface WebhookReceiver {
  url: string
  received: ReceivedWebhook[]
  /** The secret to verify with (the one PUT /api/v2/webhooks answered). */
  secret: string | undefined
  /** The status the next requests get (default 204). */
  respond: (r: ReceivedWebhook) => number
  close(): Promise<void>
}

/** Starts a receiver on 127.0.0.1. */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    secret: undefined,
    respond: () => 204,
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const h = req.headers
      let verified = false
      let payload: ReceivedWebhook['payload']
      try {
        payload = new Webhook(receiver.secret ?? '').verify(body, {
          'webhook-id': String(h['webhook-id']),
          'webhook-timestamp': String(h['webhook-timestamp']),
          'webhook-signature': String(h['webhook-signature']),
        }) as ReceivedWebhook['payload']
        verified = true
      } catch {
        payload = undefined
      }
      const r: ReceivedWebhook = {
        id: String(h['webhook-id']),
        timestamp: String(h['webhook-timestamp']),
        signature: String(h['webhook-signature']),
        headers: h,
        body,
        verified,
        payload,
      }
      receiver.received.push(r)
      res.statusCode = receiver.respond(r)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()))
  return receiver
}
