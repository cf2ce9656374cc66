/**
 * How Fastify validates requests against route schemas: the one place this is set. Request bodies are validated against their request contract
 * (the use case's own JSON Schema, also what OpenAPI documents) with Ajv, without coercion or
 * defaults, so the HTTP layer refuses a body before any route code runs. A body the schema
 * refuses is answered with the error the use case would give for it (`explainRefusedBody`):
 * the same code, status and per-field issues. Params and querystrings are checked with
 * string-to-number coercion, as query parameters arrive as strings.
 */

import { checkRequest } from '@city/registration-core';
import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import type { TObject } from 'typebox';

/** How a body a route's schema refuses is explained, when not by the contract's own use case. */
const BODY_REFUSALS = new WeakMap<object, (body: unknown) => void>();

/**
 * Declares a route body whose refusals are explained by `explain` (which throws the error to
 * answer, or returns when the route's use case accepts the body and answers it itself).
 *
 * @throws never
 * @example
 * ```ts
 * const body = routeBody(Type.Object({ ... }), (body) => checkRequest(LoginInputSchema, body));
 * ```
 */
export function routeBody<T extends TObject>(schema: T, explain: (body: unknown) => void): T {
  BODY_REFUSALS.set(schema, explain);
  return schema;
}

/**
 * Throws the error answering a body that `schema` refuses: the route's own explanation, or the
 * use case's validation of the contract.
 *
 * @throws AuthError (usually `VALIDATION_FAILED`) when the body is refused
 * @example
 * ```ts
 * explainRefusedBody(LoginInputSchema, { identifier: 'alice' }); // throws password REQUIRED
 * ```
 */
export function explainRefusedBody(schema: object, body: unknown): void {
  const explain = BODY_REFUSALS.get(schema);
  if (explain !== undefined) explain(body);
  else checkRequest(schema as TObject, body);
}

/**
 * The compiler for every route: bodies against their contract, the rest with coercion.
 *
 * @throws Error when a schema does not compile (at start-up)
 * @example
 * ```ts
 * app.setValidatorCompiler(validatorCompiler());
 * ```
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const bodies = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
  const others = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false, strict: false });
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return others.compile(schema as object);
    const check = bodies.compile(schema as object);
    return (body: unknown) => {
      if (check(body)) return true;
      try {
        explainRefusedBody(schema as object, body);
      } catch (error) {
        return { error: error as Error };
      }
      // The route's use case accepts what the schema does not spell out (RFC 7009 revocation,
      // a null optional field): it answers the request itself.
      return true;
    };
  };
}
