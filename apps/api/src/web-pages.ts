/**
 * The web pages as sent: each static `web/*.html` file with its `data-i18n` texts, `data-i18n-attr`
 * attributes, `<html lang>` and language switch filled in the reader's language, so the first
 * paint (and a browser without scripts) is already in that language. The strings are the pages' own
 * dictionary (`web/assets/i18n.js`, which the page scripts use for what they render later).
 *
 * The language is the reader's explicit choice (the `city_language` cookie the language switch sets)
 * and otherwise the `Accept-Language` header (RFC 9110 §12.5.4); answers vary on both.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowCaching } from './allow-caching.js';
import { type ApiLanguage, preferredLanguage } from './preferred-language.js';

/** The cookie the pages' language switch sets. */
export const LANGUAGE_COOKIE = 'city_language';

type Dictionary = Readonly<Record<ApiLanguage, Readonly<Record<string, string>>>>;

interface RenderedPage {
  readonly body: string;
  readonly etag: string;
}

/** Sends the web pages. */
export interface WebPages {
  /** Sends `page` (a file name under the web root) in the request's language, with `status`. */
  send(request: FastifyRequest, reply: FastifyReply, page: string, status?: number): Promise<FastifyReply>;
}

/**
 * True for a browser navigating (`Accept` names `text/html`, no `Authorization`, GET or HEAD):
 * it gets a page; API clients (fetch, curl) get JSON.
 *
 * @throws never
 * @example
 * ```ts
 * if (wantsPage(request)) return pages.send(request, reply, 'devices.html');
 * ```
 */
export function wantsPage(request: Pick<FastifyRequest, 'method' | 'headers'>): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.headers.authorization !== undefined) return false;
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/**
 * The language for a page request: a valid `city_language` cookie, else `Accept-Language`.
 *
 * @throws never
 * @example
 * ```ts
 * pageLanguage({ cookie: 'city_language=en', 'accept-language': 'ja' }); // 'en'
 * ```
 */
export function pageLanguage(headers: {
  readonly cookie?: string | string[] | undefined;
  readonly 'accept-language'?: string | string[] | undefined;
}): ApiLanguage {
  const cookie = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : (headers.cookie ?? '');
  const chosen = new RegExp(`(?:^|;)\\s*${LANGUAGE_COOKIE}=(en|ja)\\s*(?:;|$)`).exec(cookie.slice(0, 4096));
  if (chosen?.[1] === 'en' || chosen?.[1] === 'ja') return chosen[1];
  return preferredLanguage(headers['accept-language']);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** An element whose whole content is one translated text: `<tag ... data-i18n="key" ...>text</tag>`. */
const TEXT_ELEMENT = /<([a-z][a-z0-9]*)\b([^<>]*?\sdata-i18n="([^"]+)"[^<>]*)>([^<]*)<\/\1>/g;
/** A start tag with translated attributes: `data-i18n-attr="attribute:key;..."`. */
const ATTRIBUTE_TAG = /<[a-z][a-z0-9]*\b[^<>]*\sdata-i18n-attr="([^"]+)"[^<>]*>/g;

/**
 * `html` translated into `language` with `strings` (English where a string is missing).
 *
 * @throws never
 * @example
 * ```ts
 * translatePage('<html lang="en"><h1 data-i18n="login.heading">Log in</h1>', 'ja', DICTIONARY);
 * ```
 */
export function translatePage(html: string, language: ApiLanguage, strings: Dictionary): string {
  const text = (key: string): string | undefined => strings[language][key] ?? strings.en[key];
  return html
    .replace(/<html lang="[a-z-]*"/i, `<html lang="${language}"`)
    .replace(TEXT_ELEMENT, (whole, tag: string, attributes: string, key: string) => {
      const value = text(key);
      return value === undefined ? whole : `<${tag}${attributes}>${escapeHtml(value)}</${tag}>`;
    })
    .replace(ATTRIBUTE_TAG, (tag, pairs: string) => {
      let result = tag;
      for (const pair of pairs.split(';')) {
        const [attribute = '', key = ''] = pair.split(':').map((part) => part.trim());
        const value = text(key);
        if (!/^[a-z-]+$/.test(attribute) || value === undefined) continue;
        result = result.replace(
          new RegExp(`\\s${attribute}="[^"]*"`),
          ` ${attribute}="${escapeHtml(value)}"`,
        );
      }
      return result;
    })
    .replace(/(<option value="(?:en|ja)" lang="(?:en|ja)")( selected)?>/g, (_whole, start: string) =>
      start.startsWith(`<option value="${language}"`) ? `${start} selected>` : `${start}>`,
    );
}

/**
 * The page sender for the pages under `webRoot`; each page is read and translated once per language.
 *
 * @throws never (a missing page rejects `send` with the file system error)
 * @example
 * ```ts
 * const pages = webPages(config.webRoot);
 * app.get('/login', (request, reply) => pages.send(request, reply, 'login.html'));
 * ```
 */
export function webPages(webRoot: string): WebPages {
  let dictionary: Promise<Dictionary> | undefined;
  const rendered = new Map<string, Promise<RenderedPage>>();
  const strings = (): Promise<Dictionary> => {
    dictionary ??= import(pathToFileURL(join(webRoot, 'assets', 'i18n.js')).href).then(
      (module: { DICTIONARY: Dictionary }) => module.DICTIONARY,
    );
    return dictionary;
  };
  const render = (page: string, language: ApiLanguage): Promise<RenderedPage> => {
    const key = `${language}/${page}`;
    let result = rendered.get(key);
    if (result === undefined) {
      result = Promise.all([readFile(join(webRoot, page), 'utf8'), strings()]).then(([html, table]) => {
        const body = translatePage(html, language, table);
        const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
        return { body, etag: `"${hash}"` };
      });
      // A failed read is not remembered: the next request tries again.
      result.catch(() => rendered.delete(key));
      rendered.set(key, result);
    }
    return result;
  };
  return {
    async send(request, reply, page, status = 200) {
      const { body, etag } = await render(page, pageLanguage(request.headers));
      allowCaching(reply, 'public, max-age=0');
      reply.header('vary', 'accept-language, cookie').header('etag', etag);
      reply.type('text/html; charset=utf-8').documentHeaders();
      if (status === 200 && request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.status(status).send(body);
    },
  };
}
