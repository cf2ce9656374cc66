/**
 * The pages are sent in the reader's language: the `city_language` cookie (the language switch) wins,
 * else `Accept-Language`; `<html lang>`, every `data-i18n` text and attribute and the switch's selected
 * option are filled on the server. The page dictionary covers every error code and field issue of the
 * API in both languages, in words for people (no JSON names, routes or raw codes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_REGISTRY, FIELD_ISSUE_MESSAGES_JA } from '../src/error-registry.js';
import { pageLanguage, translatePage } from '../src/web-pages.js';
import { openTestApp, type TestApp } from './helpers/test-app.js';

type Strings = { en: Record<string, string>; ja: Record<string, string> };

let t: TestApp;
let DICTIONARY: Strings;
beforeAll(async () => {
  t = await openTestApp();
  ({ DICTIONARY } = (await import(`${t.config.webRoot}/assets/i18n.js`)) as { DICTIONARY: Strings });
});
afterAll(async () => {
  await t?.close();
});

const PAGES = ['/', '/register', '/login', '/pair', '/devices'];

async function page(url: string, headers: Record<string, string>) {
  return t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });
}

/** Key and text of every `data-i18n` element of `html`, as an independent reading of the answer. */
function elements(html: string): [string, string][] {
  return [...html.matchAll(/<([a-z0-9]+)\b[^<>]*\sdata-i18n="([^"]+)"[^<>]*>([^<]*)<\/\1>/g)].map((m) => [
    m[2] ?? '',
    m[3] ?? '',
  ]);
}

function texts(html: string): Map<string, string> {
  return new Map(elements(html));
}

function htmlText(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

describe('pages in the language of Accept-Language, unless the reader chose one', () => {
  it.each(PAGES)('GET %s with Accept-Language ja is Japanese throughout, from the server', async (url) => {
    const response = await page(url, { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<html lang="ja">/);
    expect(String(response.headers.vary)).toMatch(/accept-language/i);
    expect(String(response.headers.vary)).toMatch(/cookie/i);
    const found = elements(response.body);
    expect(found.length).toBeGreaterThan(5);
    // Every marked text of the file was filled, with the Japanese string.
    const file = readFileSync(join(t.config.webRoot, `${url === '/' ? 'index' : url.slice(1)}.html`), 'utf8');
    expect(found.length).toBe((file.match(/\sdata-i18n="/g) ?? []).length);
    for (const [key, value] of found) expect(htmlText(value), key).toBe(DICTIONARY.ja[key]);
    expect(response.body).toContain(`aria-label="${DICTIONARY.ja['nav.label']}"`);
    expect(response.body).toContain('<option value="ja" lang="ja" selected>');
    expect(response.body).not.toContain('<option value="en" lang="en" selected>');
  });

  it.each(PAGES)('GET %s without a Japanese preference is English', async (url) => {
    const headers: Record<string, string>[] = [
      {},
      { 'accept-language': 'en-GB,en;q=0.9,ja;q=0.3' },
      { 'accept-language': 'fr' },
    ];
    for (const header of headers) {
      const response = await page(url, header);
      expect(response.body).toMatch(/<html lang="en">/);
      for (const [key, value] of texts(response.body)) expect(htmlText(value), key).toBe(DICTIONARY.en[key]);
    }
  });

  it('the reader’s explicit choice (the city_language cookie) wins over Accept-Language', async () => {
    const english = await page('/login', { 'accept-language': 'ja', cookie: 'theme=dark; city_language=en' });
    expect(english.body).toMatch(/<html lang="en">/);
    expect(texts(english.body).get('login.heading')).toBe('Log in');
    const japanese = await page('/login', { 'accept-language': 'en-US', cookie: 'city_language=ja' });
    expect(japanese.body).toMatch(/<html lang="ja">/);
    expect(texts(japanese.body).get('login.heading')).toBe('ログイン');
    // An unknown value is no choice.
    const unknown = await page('/login', { 'accept-language': 'ja', cookie: 'city_language=de' });
    expect(unknown.body).toMatch(/<html lang="ja">/);
  });

  it('pageLanguage reads the cookie before Accept-Language', () => {
    expect(pageLanguage({})).toBe('en');
    expect(pageLanguage({ 'accept-language': 'ja' })).toBe('ja');
    expect(pageLanguage({ 'accept-language': 'ja', cookie: 'city_language=en' })).toBe('en');
    expect(pageLanguage({ 'accept-language': 'en', cookie: 'a=1;city_language=ja' })).toBe('ja');
    expect(pageLanguage({ 'accept-language': 'en', cookie: 'xcity_language=ja' })).toBe('en');
  });

  it('revalidates with an ETag per language', async () => {
    const ja = await page('/pair', { 'accept-language': 'ja' });
    const en = await page('/pair', { 'accept-language': 'en' });
    expect(ja.headers.etag).toBeDefined();
    expect(ja.headers.etag).not.toBe(en.headers.etag);
    const again = await page('/pair', { 'accept-language': 'ja', 'if-none-match': String(ja.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await page('/pair', { 'accept-language': 'en', 'if-none-match': String(ja.headers.etag) });
    expect(other.statusCode).toBe(200);
  });

  it('translatePage escapes what it inserts', () => {
    const html =
      '<html lang="en"><p data-i18n="k">x</p><nav data-i18n-attr="aria-label:a" aria-label="A"></nav>';
    const strings = { en: { k: '<b>&"', a: '"><script>' }, ja: {} };
    expect(translatePage(html, 'ja', strings)).toBe(
      '<html lang="ja"><p data-i18n="k">&lt;b&gt;&amp;&quot;</p><nav data-i18n-attr="aria-label:a" aria-label="&quot;&gt;&lt;script&gt;"></nav>',
    );
  });

  it('every data-i18n element of every page holds text only, so the server can fill it', () => {
    for (const file of readdirSync(t.config.webRoot).filter((name) => name.endsWith('.html'))) {
      const html = readFileSync(join(t.config.webRoot, file), 'utf8');
      expect(elements(html).length, file).toBe((html.match(/\sdata-i18n="/g) ?? []).length);
      for (const key of texts(html).keys()) expect(DICTIONARY.en[key], `${file} ${key}`).toBeDefined();
    }
  });
});

describe('the page dictionary speaks to people in both languages', () => {
  it.each(Object.keys(ERROR_REGISTRY))('has an English and a Japanese page message for %s', (code) => {
    expect(DICTIONARY.en[`error.${code}`], `add error.${code} to web/assets/i18n.js`).toMatch(/\S/);
    expect(DICTIONARY.ja[`error.${code}`], `add error.${code} to web/assets/i18n.js`).toMatch(
      /[\u3040-\u30ff\u4e00-\u9fff]/,
    );
  });

  it.each(Object.keys(FIELD_ISSUE_MESSAGES_JA))('has a field message for the issue code %s', (code) => {
    expect(DICTIONARY.en[`fieldIssue.${code}`]).toMatch(/\{field\}/);
    expect(DICTIONARY.ja[`fieldIssue.${code}`]).toMatch(/\{field\}/);
  });

  it('every field of the forms has a label, and field messages differ per field', () => {
    const fields = new Set<string>();
    for (const file of ['register.html', 'login.html', 'pair.html']) {
      const html = readFileSync(join(t.config.webRoot, file), 'utf8');
      for (const match of html.matchAll(/<(?:input|select|textarea)\b[^>]*\sname="([a-z_]+)"/g)) {
        if (match[1] !== 'language') fields.add(match[1] ?? '');
      }
    }
    for (const field of fields) {
      for (const language of ['en', 'ja'] as const) {
        expect(DICTIONARY[language][`field.${field}`], `${language} field.${field}`).toMatch(/\S/);
      }
    }
    // The field-specific messages exist in both languages and are not one sentence for all.
    const specific = Object.keys(DICTIONARY.en).filter((key) => /^fieldIssue\.[a-z_]+\.[A-Z_]+$/.test(key));
    expect(specific.length).toBeGreaterThan(15);
    expect(new Set(specific.map((key) => DICTIONARY.ja[key])).size).toBe(specific.length);
  });

  it('no page string shows a JSON key, a route or an error code', () => {
    for (const language of ['en', 'ja'] as const) {
      for (const [key, value] of Object.entries(DICTIONARY[language])) {
        expect(value, `${language} ${key}`).not.toMatch(/\b[a-z]+_[a-z_]+\b/); // snake_case names
        expect(value, `${language} ${key}`).not.toMatch(/\b[A-Z]{2,}_[A-Z_]+\b/); // error codes
        expect(value, `${language} ${key}`).not.toMatch(/\b(?:POST|GET|DELETE)\s+\//);
        expect(value, `${language} ${key}`).not.toMatch(/see fields|fields を|Bearer|JSON/);
      }
    }
  });
});
