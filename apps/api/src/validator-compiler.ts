/**
 * How Fastify validates requests against route schemas: the one place this is set. Request bodies
 * are validated by registration-core (per-field codes), so a body schema compiles to a validator
 * that accepts everything; params and querystrings are checked here, with string-to-number
 * coercion for query parameters.
 */
import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * The validator compiler for `app.setValidatorCompiler`.
 *
 * @throws never (a malformed schema throws when Fastify compiles the route)
 * @example
 * ```ts
 * app.setValidatorCompiler(validatorCompiler());
 * ```
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false, strict: false });
  return ({ schema, httpPart }) => (httpPart === 'body' ? () => true : ajv.compile(schema as object));
}
