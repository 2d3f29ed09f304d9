// Build step (npm run build, after tsc): parses the built-in catalog's YAML once, so the hub
// starts without parsing it, and marks the files that pass the full definition check, so it
// starts without validating them (packages/hub/src/catalog/parsed-yaml.ts says why).
import { BUILT_IN_CATALOG_DIR } from '../dist/catalog/load-catalog.js'
import { writeParsedYaml } from '../dist/catalog/parsed-yaml.js'
import { validateDefinition } from '../dist/catalog/validate-definition.js'

await writeParsedYaml(BUILT_IN_CATALOG_DIR, undefined, (value) => validateDefinition(value).ok)
