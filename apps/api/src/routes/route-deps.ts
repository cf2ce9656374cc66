/**
 * The options every route group plugin is registered with by `buildApp`: the use cases, the configuration and the
 * request helpers (bearer authentication, transport context, page sending).
 */
import type { AuthService, Principal, RequestContext } from '@city/registration-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config.js';

/** Shared helpers for route modules. */
export interface RouteDeps {
  readonly auth: AuthService;
  readonly config: ApiConfig;
  /** The JWT `iss` the core signs with (published in the server metadata). */
  readonly issuer: string;
  /** Route-level rate limit for credential routes (`false` when disabled). */
  readonly credentialRateLimit: { readonly max: number; readonly timeWindow: number } | false;
  /** Verifies the bearer token through `auth.authenticate` and sets `request.principal`. */
  authenticate(request: FastifyRequest): Promise<void>;
  /** The principal set by `authenticate` (throws AUTHENTICATION_REQUIRED when absent). */
  principalOf(request: FastifyRequest): Principal;
  /** Client address, user agent and verified peer certificate. */
  contextOf(request: FastifyRequest): RequestContext;
  /** Sends one of the web pages from the web root, in the reader's language. */
  sendPage(reply: FastifyReply, page: string): Promise<FastifyReply>;
}
