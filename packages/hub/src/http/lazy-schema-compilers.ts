/**
 * Fastify's own schema compilers (`@fastify/ajv-compiler` for request validation,
 * `@fastify/fast-json-stringify-compiler` for response serialisation), each route's schema
 * compiled on the route's first request instead of when the route is added. A start compiles
 * nothing (about a sixth of a cold start's CPU went to compiling the ~30 route schemas, most
 * of which a given hub never serves; docs/performance.md, cold start), and neither compiler nor
 * Ajv is loaded until the first request that needs one. What a request gets is unchanged: the
 * same compilers with the same options build the same functions, only later.
 */
import { createRequire } from 'node:module'
import type { ValidatorFactory } from '@fastify/ajv-compiler'
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'

/** What Fastify hands a compiler: a route's schema for one part, with its method and URL. */
type FastifyRouteSchemaDef<T> = Parameters<FastifySchemaCompiler<T>>[0]
/** A compiled validator as Fastify calls it. */
type FastifyValidationResult = ReturnType<FastifySchemaCompiler<unknown>>

const require = createRequire(import.meta.url)

/** A JSON Schema object, as far as the header lower-casing below needs to see it. */
interface ObjectSchema {
  properties?: Record<string, unknown>
  required?: string[]
}

/**
 * Header names are case-insensitive and Node gives them lower-cased; Fastify lower-cases a
 * headers schema's property names for its own compiler, and leaves them alone for a custom one
 * (which this is), so it is done here.
 */
function lowerCaseHeaders(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Object.getPrototypeOf(schema) !== Object.prototype) return schema
  const s = schema as ObjectSchema
  return {
    ...s,
    ...(s.properties ? { properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k.toLowerCase(), v])) } : {}),
    ...(s.required ? { required: s.required.map((k) => k.toLowerCase()) } : {}),
  }
}

/**
 * A validator that compiles on its first call. Fastify reads `schemaEnv` (to pass the parent
 * object, so Ajv can coerce a root value) and `errors` (after a failed call) off the function:
 * both are forwarded to the compiled one.
 */
function lazyValidator(compile: () => FastifyValidationResult): FastifyValidationResult {
  let real: FastifyValidationResult | undefined
  const get = () => {
    real ??= compile()
    return real
  }
  const validate = ((data: unknown, context?: unknown) => (get() as (d: unknown, c?: unknown) => ReturnType<FastifyValidationResult>)(data, context)) as FastifyValidationResult
  Object.defineProperty(validate, 'schemaEnv', { get: () => (get() as { schemaEnv?: unknown }).schemaEnv })
  Object.defineProperty(validate, 'errors', { get: () => get().errors })
  return validate
}

/** Fastify's default validator factory (Ajv), building each route's validator on its first use. */
export const lazyValidatorFactory = ((externalSchemas: unknown, options: unknown) => {
  let compiler: FastifySchemaCompiler<unknown> | undefined
  return (route: FastifyRouteSchemaDef<unknown>) =>
    lazyValidator(() => {
      compiler ??= (require('@fastify/ajv-compiler') as () => ValidatorFactory)()(externalSchemas as never, options as never) as FastifySchemaCompiler<unknown>
      return compiler(route.httpPart === 'headers' ? { ...route, schema: lowerCaseHeaders(route.schema) } : route)
    })
}) as unknown as ValidatorFactory

/** Fastify's default serializer factory (fast-json-stringify), building each response serializer on its first use. */
export const lazySerializerFactory = ((externalSchemas: unknown, options: unknown) => {
  let compiler: FastifySerializerCompiler<unknown> | undefined
  return (route: FastifyRouteSchemaDef<unknown>) => {
    let serialize: ((data: unknown) => string) | undefined
    return (data: unknown) => {
      if (!serialize) {
        compiler ??= (require('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)()(
          externalSchemas as never,
          options as never,
        ) as FastifySerializerCompiler<unknown>
        serialize = compiler(route)
      }
      return serialize(data)
    }
  }
}) as unknown as SerializerFactory
