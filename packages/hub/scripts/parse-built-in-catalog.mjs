// Build step (npm run build, after tsc): parses the built-in catalog's YAML once, so the hub
// starts without parsing it (packages/hub/src/catalog/parsed-yaml.ts says why).
import { BUILT_IN_CATALOG_DIR } from '../dist/catalog/load-catalog.js'
import { writeParsedYaml } from '../dist/catalog/parsed-yaml.js'

await writeParsedYaml(BUILT_IN_CATALOG_DIR)
