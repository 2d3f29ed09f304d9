import { createHash } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_CATALOG_DIR } from './load-catalog.js'
import { parsedYamlReader, writeParsedYaml } from './parsed-yaml.js'

describe('YAML parsed at build time', () => {
  const setup = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-parsed-yaml-'))
    await writeFile(join(dir, 'a.yaml'), 'id: a\nlist: [1, two, { three: 3 }]\n')
    await writeFile(join(dir, 'infinite.yaml'), 'id: inf\nlimit: .inf\n') // not JSON-representable
    await writeFile(join(dir, 'broken.yaml'), 'id: [unclosed\n')
    await writeFile(join(dir, 'notes.txt'), 'id: ignored\n')
    const out = join(dir, 'parsed.json')
    return { dir, out, stored: await writeParsedYaml(dir, out) }
  }

  it('stores only files whose value survives JSON, and serves them as copies', async () => {
    const { dir, out, stored } = await setup()
    expect(stored).toBe(1)
    const file = JSON.parse(await readFile(out, 'utf8'))
    expect(Object.values(file.entries)).toEqual([{ id: 'a', list: [1, 'two', { three: 3 }] }])
    const read = parsedYamlReader(out)
    const text = await readFile(join(dir, 'a.yaml'), 'utf8')
    const first = (await read(text)) as { list: unknown[] }
    first.list.push('mutated')
    expect(await read(text)).toEqual({ id: 'a', list: [1, 'two', { three: 3 }] })
  })

  it('parses any other text as YAML, with YAML errors', async () => {
    const { dir, out } = await setup()
    const read = parsedYamlReader(out)
    expect(await read(await readFile(join(dir, 'infinite.yaml'), 'utf8'))).toEqual({ id: 'inf', limit: Infinity })
    expect(await read('id: edited\n')).toEqual({ id: 'edited' })
    await expect(read('id: [unclosed\n')).rejects.toThrow()
  })

  it('answers from the file when the text matches, without parsing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-parsed-yaml-'))
    const text = 'id: real\n'
    const out = join(dir, 'parsed.json')
    const key = createHash('sha256').update(text, 'utf8').digest('hex')
    await writeFile(out, JSON.stringify({ format: 'patchbay-parsed-yaml/1', entries: { [key]: { id: 'from the build' } } }))
    expect(await parsedYamlReader(out)(text)).toEqual({ id: 'from the build' })
  })

  it('parses everything when the file is missing', async () => {
    const read = parsedYamlReader(join(tmpdir(), 'pb-no-such-file.json'))
    expect(await read('id: x\n')).toEqual({ id: 'x' })
  })

  it('gives the same values as parsing the built-in catalog', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-parsed-built-in-'))
    const out = join(dir, 'parsed.json')
    expect(await writeParsedYaml(BUILT_IN_CATALOG_DIR, out)).toBeGreaterThan(10)
    const read = parsedYamlReader(out)
    const text = await readFile(join(BUILT_IN_CATALOG_DIR, 'github.yaml'), 'utf8')
    expect(await read(text)).toEqual(parse(text))
  })

  it('marks what the build validated, and only the exact text it validated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pb-parsed-yaml-'))
    await writeFile(join(dir, 'good.yaml'), 'id: good\n')
    await writeFile(join(dir, 'bad.yaml'), 'id: bad\n')
    const out = join(dir, 'parsed.json')
    expect(await writeParsedYaml(dir, out, (v) => (v as { id: string }).id === 'good')).toBe(2)
    const read = parsedYamlReader(out)
    expect(await read.read('id: good\n')).toEqual({ value: { id: 'good' }, validated: true })
    expect(await read.read('id: bad\n')).toEqual({ value: { id: 'bad' }, validated: false })
    expect(await read.read('id: good # edited\n')).toEqual({ value: { id: 'good' }, validated: false })
    // Without a check, nothing is marked.
    await writeParsedYaml(dir, out)
    expect((await parsedYamlReader(out).read('id: good\n')).validated).toBe(false)
  })

  it('npm run build marks every built-in definition validated', async () => {
    // The build's file (tests run on the sources, whose folder has none).
    const built = new URL('../../dist/catalog/built-in-parsed.json', import.meta.url)
    const file = JSON.parse(await readFile(built, 'utf8')) as { entries: Record<string, unknown>; validated: string[] }
    expect(file.validated.length).toBeGreaterThan(40)
    expect(file.validated.sort()).toEqual(Object.keys(file.entries).sort())
  })
})
