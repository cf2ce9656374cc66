/**
 * The web pages' files: scripts and styles under `/assets/` (@fastify/static, no directory listing,
 * dotfiles refused); the pages' HTML is sent translated by `web-pages.ts`. Wrapped with fastify-plugin so
 * `reply.sendFile` reaches the route groups that answer with a page.
 */
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { allowCaching } from '../allow-caching.js';

/** Options of {@link webAssets}. */
export interface WebAssetsOptions {
  /** The directory holding the pages and `assets/`. */
  readonly webRoot: string;
}

async function webAssetsPlugin(app: FastifyInstance, options: WebAssetsOptions): Promise<void> {
  await app.register(fastifyStatic, {
    root: join(options.webRoot, 'assets'),
    prefix: '/assets/',
    index: false,
    list: false,
    dotfiles: 'deny',
    wildcard: true,
    // Scripts, styles and the pages' HTML are the same for everyone; @fastify/static sets their
    // Cache-Control (revalidated on every use: max-age=0 with ETag/Last-Modified).
    setHeaders: (reply) => void allowCaching(reply, 'public, max-age=0'),
  });
}

/**
 * `/assets/*` and `reply.sendFile`.
 *
 * @throws never at registration
 * @example
 * ```ts
 * await app.register(webAssets, { webRoot: config.webRoot });
 * ```
 */
export const webAssets = fastifyPlugin(webAssetsPlugin, { name: 'city-web-assets', fastify: '5.x' });
