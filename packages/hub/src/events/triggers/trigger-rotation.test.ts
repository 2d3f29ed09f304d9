import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { newId } from '../../ids.js'
import { openStore } from '../../store/store.js'
import { newTenant, timeTriggerRow } from '../../../../../test/support/trigger-fixtures.js'
import { countSealedValues, rotateMasterKey } from '../../vault/rotation.js'
import { Vault, generateMasterKey, parseMasterKey, sealedKeyId } from '../../vault/vault.js'
import { openTriggerSecrets, sealTriggerSecrets } from './trigger-secrets.js'

it("master key rotation re-encrypts trigger instances' sealed secrets, which then open with the new key only", async () => {
  const store = openStore(join(await mkdtemp(join(tmpdir(), 'pb-trig-rot-')), 'db.sqlite'))
  await store.migrate()
  const oldKey = parseMasterKey(generateMasterKey())
  const newKey = parseMasterKey(generateMasterKey())
  const now = new Date().toISOString()
  const tenantId = await newTenant(store, now)
  const id = newId()
  const secrets = { signingSecret: 'gh-generated-secret', inboundToken: 'tok_abcdefghijklmnopqrstuvwxyz' }
  await store.triggers.insert(
    timeTriggerRow({
      id,
      tenant_id: tenantId,
      secret: sealTriggerSecrets(new Vault([oldKey]), tenantId, id, secrets),
      created_at: now,
      name: 'n',
    }),
  )
  const report = await rotateMasterKey(store, new Vault([newKey, oldKey]), {})
  expect(report.failed).toEqual([])
  const row = await store.triggers.getById(id)
  expect(sealedKeyId(row!.secret!)).toBe(newKey.id)
  expect(openTriggerSecrets(new Vault([newKey]), row!)).toEqual(secrets)
  expect((await countSealedValues(store)).find((c) => c.table === 'trigger_instances')?.byKey).toEqual({ [newKey.id]: 1 })
  await store.close()
})
