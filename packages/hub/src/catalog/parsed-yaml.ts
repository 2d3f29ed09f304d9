import { createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'

/**
 * The built-in definitions, parsed at build time (`npm run build`), keyed by the SHA-256 of each
 * file's text. Parsing YAML is the largest part of a cold start (about 300 ms of the hub's first
 * second on a 2-core machine, mostly compiling the YAML library's code on first use; see
 * docs/performance.md), while JSON.parse of the same data takes a millisecond or two. Keyed by
 * content, so an edited or user-supplied file is simply parsed as YAML.
 */
export const PARSED_YAML_FILE = fileURLToPath(new URL('./built-in-parsed.json', import.meta.url))

interface ParsedYamlFile {
  format: 'patchbay-parsed-yaml/1'
  entries: Record<string, unknown>
  /** Keys of the entries the build found to be valid definitions (absent in older files: none). */
  validated?: string[]
}

/** What {@link ParsedYamlReader.read} answers. */
export interface ParsedYaml {
  value: unknown
  /** Whether the build validated this exact text as a definition (see {@link writeParsedYaml}). */
  validated: boolean
}

/** Parses YAML text (see {@link parsedYamlReader}); `read` also says whether the build validated it. */
export interface ParsedYamlReader {
  (text: string): Promise<unknown>
  read(text: string): Promise<ParsedYaml>
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

/**
 * A YAML parser that first looks the text up in a file written by {@link writeParsedYaml}
 * (read once, on first use; a missing or unreadable file means every text is parsed).
 *
 * @example
 * ```ts
 * const parse = parsedYamlReader('/tmp/parsed.json')
 * const value = await parse(text)
 * ```
 */
export function parsedYamlReader(file: string): ParsedYamlReader {
  let entries: Promise<{ values: Map<string, unknown>; validated: Set<string> }> | undefined
  const none = () => ({ values: new Map<string, unknown>(), validated: new Set<string>() })
  const load = () =>
    readFile(file, 'utf8').then(
      (text) => {
        const parsed = JSON.parse(text) as ParsedYamlFile
        return parsed.format === 'patchbay-parsed-yaml/1' ? { values: new Map(Object.entries(parsed.entries)), validated: new Set(parsed.validated ?? []) } : none()
      },
      // Not built (e.g. tests on the sources) or unreadable: parse everything.
      none,
    )
  const read = async (text: string): Promise<ParsedYaml> => {
    entries ??= load()
    const { values, validated } = await entries
    const key = sha256(text)
    const hit = values.get(key)
    // A copy: callers own what they are given.
    if (hit !== undefined) return { value: structuredClone(hit), validated: validated.has(key) }
    const { parse } = await import('yaml')
    return { value: parse(text) as unknown, validated: false }
  }
  return Object.assign(async (text: string) => (await read(text)).value, { read })
}

/**
 * Parses the YAML text of a definition file: the build's result when this exact text was parsed
 * at build time ({@link PARSED_YAML_FILE}), else with the `yaml` library (loaded on first need).
 *
 * @throws what `yaml`'s `parse` throws for text that is not valid YAML.
 * @example
 * ```ts
 * const value = await parseYaml(await readFile('catalog/github.yaml', 'utf8'))
 * ```
 */
export const parseYaml: ParsedYamlReader = parsedYamlReader(PARSED_YAML_FILE)

/**
 * Parses every `.yaml`/`.yml` file of `dir` and writes {@link PARSED_YAML_FILE}. Run by
 * `npm run build` for the built-in catalog. A file whose value does not survive a JSON round
 * trip unchanged (e.g. `.inf`) is left out, so it is parsed as YAML at start. With `isValid`
 * (the build passes the full definition check), the files it accepts are marked validated, and
 * the hub loads them without validating them again (load-catalog.ts): the check is the same code
 * on the same text, and compiling the definition schema for it was a large part of a cold start.
 *
 * @returns how many files were stored.
 */
export async function writeParsedYaml(dir: string, outFile = PARSED_YAML_FILE, isValid?: (value: unknown) => boolean): Promise<number> {
  const { parse } = await import('yaml')
  const entries: Record<string, unknown> = {}
  const validated: string[] = []
  const names = (await readdir(dir)).filter((n) => ['.yaml', '.yml'].includes(extname(n))).sort()
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8')
    let value: unknown
    try {
      value = parse(text)
    } catch {
      continue // reported with its error when the hub loads it
    }
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(value ?? null)) as unknown, value)) continue
    const key = sha256(text)
    entries[key] = value
    if (isValid?.(structuredClone(value))) validated.push(key)
  }
  const file: ParsedYamlFile = { format: 'patchbay-parsed-yaml/1', entries, validated }
  await writeFile(outFile, JSON.stringify(file))
  return Object.keys(entries).length
}
