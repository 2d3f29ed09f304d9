import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { call, startTestHub, type TestHub } from '../support/test-hub.js'
import { startUpstream, type Upstream } from '../support/upstream.js'

// Google Sheets, Salesforce, Dropbox and Todoist as shipped in packages/hub/catalog/, with only
// their base URL pointed at a stand-in on 127.0.0.1 (a user folder overrides a built-in of the
// same id), so the paths, queries and bodies checked here are the real definitions' own.
let upstream: Upstream
let hub: TestHub
let dir: string

const BEARER = { inputs: [{ name: 'token', displayName: 'Token', description: 'Access token', secret: true }], apply: { headers: { Authorization: 'Bearer {token}' } } }

async function builtIn(id: string): Promise<Record<string, unknown>> {
  const url = new URL(`../../packages/hub/catalog/${id}.yaml`, import.meta.url)
  return parseYaml(await readFile(fileURLToPath(url), 'utf8')) as Record<string, unknown>
}

const run = (id: string, action: string, data: unknown) => call(hub, 'POST', `/api/v2/execute/${id}`, { action, data })

async function connect(integration: string, data: Record<string, string>): Promise<string> {
  const res = await call(hub, 'POST', `/api/v2/execute/${integration}`, { name: `${integration} stand-in`, authScheme: 'BEARER_TOKEN', data })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.data.id as string
}

function last() {
  const r = upstream.received.at(-1)
  if (r === undefined) throw new Error('the stand-in received nothing')
  return r
}

beforeAll(async () => {
  upstream = await startUpstream()
  dir = await mkdtemp(join(tmpdir(), 'patchbay-curated-'))
  // Google Sheets ships OAuth 2 only: the test gives it a bearer scheme with the same header.
  const sheets = await builtIn('google-sheets')
  await writeFile(join(dir, 'google-sheets.json'), JSON.stringify({ ...sheets, baseUrl: `${upstream.url}/google`, auth: { BEARER_TOKEN: BEARER } }))
  // Salesforce keeps its {instance} connection input: it becomes a path segment on the stand-in.
  const salesforce = await builtIn('salesforce')
  await writeFile(join(dir, 'salesforce.json'), JSON.stringify({ ...salesforce, baseUrl: `${upstream.url}/sf/{instance}` }))
  for (const id of ['dropbox', 'todoist']) {
    const d = await builtIn(id)
    await writeFile(
      join(dir, `${id}.json`),
      JSON.stringify({ ...d, baseUrl: `${upstream.url}/${id}`, auth: { BEARER_TOKEN: (d['auth'] as Record<string, unknown>)['BEARER_TOKEN'] } }),
    )
  }
  hub = await startTestHub({ catalogDirs: [dir] })
})

afterAll(async () => {
  await hub?.close()
  await upstream?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('Google Sheets', () => {
  let id: string
  beforeAll(async () => {
    id = await connect('google-sheets', { token: 'ya29.sheets-token' })
  })

  it('verifies by listing spreadsheets through Drive, with the spreadsheet MIME type by default', async () => {
    const r = await run(id, 'GOOGLE_SHEETS_LIST_SPREADSHEETS', {})
    expect(r.body.status).toBe('SUCCESS')
    const got = last()
    expect(got).toMatchObject({ method: 'GET', path: '/google/drive/v3/files' })
    expect(got.query.get('q')).toBe("mimeType = 'application/vnd.google-apps.spreadsheet' and trashed = false")
    expect(got.headers.authorization).toBe('Bearer ya29.sheets-token')
  })

  it('reads a range in A1 notation, the range kept as one path segment', async () => {
    const r = await run(id, 'GOOGLE_SHEETS_GET_VALUES', { spreadsheetId: 'sheet-1', range: 'Sheet1!A1:D20', valueRenderOption: 'UNFORMATTED_VALUE' })
    expect(r.body.status).toBe('SUCCESS')
    const got = last()
    expect(decodeURIComponent(got.path)).toBe('/google/sheets/v4/spreadsheets/sheet-1/values/Sheet1!A1:D20')
    expect(got.query.get('valueRenderOption')).toBe('UNFORMATTED_VALUE')
  })

  it('appends rows with :append, USER_ENTERED by default, the rows as the body', async () => {
    const values = [['2024-05-01', 'Coffee', 3.5]]
    const r = await run(id, 'GOOGLE_SHEETS_APPEND_VALUES', { spreadsheetId: 'sheet-1', range: 'Sheet1!A:C', values })
    expect(r.body.status).toBe('SUCCESS')
    const got = last()
    expect(got.method).toBe('POST')
    expect(decodeURIComponent(got.path)).toBe('/google/sheets/v4/spreadsheets/sheet-1/values/Sheet1!A:C:append')
    expect(got.query.get('valueInputOption')).toBe('USER_ENTERED')
    expect(JSON.parse(got.body)).toEqual({ values })
  })

  it('creates a spreadsheet from its properties', async () => {
    await run(id, 'GOOGLE_SHEETS_CREATE_SPREADSHEET', { properties: { title: 'Q3 budget' } })
    const got = last()
    expect(got).toMatchObject({ method: 'POST', path: '/google/sheets/v4/spreadsheets' })
    expect(JSON.parse(got.body)).toEqual({ properties: { title: 'Q3 budget' } })
  })

  it('refuses a read without a range, naming the missing input', async () => {
    const before = upstream.received.length
    const r = await run(id, 'GOOGLE_SHEETS_GET_VALUES', { spreadsheetId: 'sheet-1' })
    expect(r.status).toBe(400)
    expect(JSON.stringify(r.body)).toContain('range')
    expect(upstream.received.length).toBe(before)
  })
})

describe('Salesforce', () => {
  let id: string
  beforeAll(async () => {
    id = await connect('salesforce', { instance: 'acme', token: '00Dxx!session' })
  })

  it('verifies with userinfo on the instance named at connect time', async () => {
    const r = await run(id, 'SALESFORCE_GET_USER_INFO', {})
    expect(r.body.status).toBe('SUCCESS')
    expect(last()).toMatchObject({ method: 'GET', path: '/sf/acme/services/oauth2/userinfo' })
    expect(last().headers.authorization).toBe('Bearer 00Dxx!session')
  })

  it('runs a SOQL query', async () => {
    const q = "SELECT Id, Name FROM Account WHERE Name LIKE 'Acme%' LIMIT 10"
    await run(id, 'SALESFORCE_QUERY', { q })
    expect(last().path).toBe('/sf/acme/services/data/v62.0/query')
    expect(last().query.get('q')).toBe(q)
  })

  it('creates and updates a record with the field map as the whole body', async () => {
    await run(id, 'SALESFORCE_CREATE_RECORD', { sobject: 'Lead', fields: { LastName: 'Lovelace', Company: 'Analytical Engines' } })
    expect(last()).toMatchObject({ method: 'POST', path: '/sf/acme/services/data/v62.0/sobjects/Lead' })
    expect(JSON.parse(last().body)).toEqual({ LastName: 'Lovelace', Company: 'Analytical Engines' })
    await run(id, 'SALESFORCE_UPDATE_RECORD', { sobject: 'Opportunity', record_id: '006D000000IqhSLIAZ', fields: { StageName: 'Closed Won' } })
    expect(last()).toMatchObject({ method: 'PATCH', path: '/sf/acme/services/data/v62.0/sobjects/Opportunity/006D000000IqhSLIAZ' })
    expect(JSON.parse(last().body)).toEqual({ StageName: 'Closed Won' })
  })

  it('refuses an object name that is not an API name, before any call', async () => {
    const before = upstream.received.length
    const r = await run(id, 'SALESFORCE_DESCRIBE_OBJECT', { sobject: '../limits' })
    expect(r.status).toBe(400)
    expect(JSON.stringify(r.body)).toContain('sobject')
    expect(upstream.received.length).toBe(before)
  })
})

describe('Dropbox', () => {
  let id: string
  beforeAll(async () => {
    id = await connect('dropbox', { token: 'sl.dropbox-token' })
  })

  it('verifies with a bodyless POST to users/get_current_account', async () => {
    const r = await run(id, 'DROPBOX_GET_CURRENT_ACCOUNT', {})
    expect(r.body.status).toBe('SUCCESS')
    expect(last()).toMatchObject({ method: 'POST', path: '/dropbox/users/get_current_account', body: '' })
    expect(last().headers.authorization).toBe('Bearer sl.dropbox-token')
  })

  it('lists the root folder with "" by default and searches with options', async () => {
    await run(id, 'DROPBOX_LIST_FOLDER', {})
    expect(last().path).toBe('/dropbox/files/list_folder')
    expect(JSON.parse(last().body)).toEqual({ path: '' })
    await run(id, 'DROPBOX_SEARCH', { query: 'invoice', options: { path: '/Finance', max_results: 5 } })
    expect(last().path).toBe('/dropbox/files/search_v2')
    expect(JSON.parse(last().body)).toEqual({ query: 'invoice', options: { path: '/Finance', max_results: 5 } })
  })

  it('creates a folder', async () => {
    await run(id, 'DROPBOX_CREATE_FOLDER', { path: '/Projects/Apollo', autorename: true })
    expect(last()).toMatchObject({ method: 'POST', path: '/dropbox/files/create_folder_v2' })
    expect(JSON.parse(last().body)).toEqual({ path: '/Projects/Apollo', autorename: true })
  })
})

describe('Todoist', () => {
  let id: string
  beforeAll(async () => {
    id = await connect('todoist', { token: 'todoist-token-1234' })
  })

  it('verifies with GET /user', async () => {
    const r = await run(id, 'TODOIST_GET_USER', {})
    expect(r.body.status).toBe('SUCCESS')
    expect(last()).toMatchObject({ method: 'GET', path: '/todoist/user' })
    expect(last().headers.authorization).toBe('Bearer todoist-token-1234')
  })

  it('filters tasks, creates one and completes it', async () => {
    await run(id, 'TODOIST_FILTER_TASKS', { query: '(today | overdue) & #Work' })
    expect(last().path).toBe('/todoist/tasks/filter')
    expect(last().query.get('query')).toBe('(today | overdue) & #Work')
    await run(id, 'TODOIST_CREATE_TASK', { content: 'Call the dentist', due_string: 'tomorrow at 9am', priority: 4 })
    expect(last()).toMatchObject({ method: 'POST', path: '/todoist/tasks' })
    expect(JSON.parse(last().body)).toEqual({ content: 'Call the dentist', due_string: 'tomorrow at 9am', priority: 4 })
    await run(id, 'TODOIST_CLOSE_TASK', { task_id: '6X7rM8997g3RQmvh' })
    expect(last()).toMatchObject({ method: 'POST', path: '/todoist/tasks/6X7rM8997g3RQmvh/close' })
  })
})
