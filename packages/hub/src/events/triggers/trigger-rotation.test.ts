import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { newId } from '../../ids.js'
import { openStore } from '../../store/store.js'
import { countSealedValues, rotateMasterKey } from '../../vault/rotation.js'
import { Vault, generateMasterKey, parseMasterKey, sealedKeyId } from '../../vault/vault.js'
import { openTriggerSecrets, sealTriggerSecrets } from './trigger-secrets.js'

it("master key rotation re-encrypts trigger instances' sealed secrets, which then open with the new key only", async () => {
  const store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-trig-rot-')), 'db.sqlite'))
  await store.migrate()
  const oldKey = parseMasterKey(generateMasterKey())
  const newKey = parseMasterKey(generateMasterKey())
  const tenantId = newId()
  const now = new Date().toISOString()
  await store.createTenant({ id: tenantId, name: 't', created_at: now })
  const id = newId()
  const secrets = { signingSecret: 'gh-generated-secret', inboundToken: 'tok_abcdefghijklmnopqrstuvwxyz' }
  await store.triggers.insert({
    id,
    tenant_id: tenantId,
    kind: 'aixplain',
    connection_id: null,
    integration_id: null,
    slug: null,
    type: 'time',
    config: '{}',
    secret: sealTriggerSecrets(new Vault([oldKey]), tenantId, id, secrets),
    inbound_token_hash: null,
    enabled: 1,
    configuration: null,
    next_run_at: null,
    last_run_at: null,
    state: null,
    failures: 0,
    last_error: null,
    created_at: now,
    updated_at: now,
    name: 'n',
    input: null,
    asset_type: null,
    asset_id: null,
    trigger_type: 'time',
    source_trigger_id: null,
    notifications: 0,
    description: null,
    retry_count: null,
  })
  const report = await rotateMasterKey(store, new Vault([newKey, oldKey]), {})
  expect(report.failed).toEqual([])
  const row = await store.triggers.getById(id)
  expect(sealedKeyId(row!.secret!)).toBe(newKey.id)
  expect(openTriggerSecrets(new Vault([newKey]), row!)).toEqual(secrets)
  expect((await countSealedValues(store)).find((c) => c.table === 'trigger_instances')?.byKey).toEqual({ [newKey.id]: 1 })
  await store.close()
})
