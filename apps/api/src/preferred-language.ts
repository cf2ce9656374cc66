/**
 * Picks the response language from an `Accept-Language` header (RFC 9110 §12.5.4): the
 * highest-weighted range among the languages we have, English when nothing matches.
 */

/** Languages the API answers in. */
export type ApiLanguage = 'en' | 'ja';

/**
 * Returns `'ja'` when Japanese is preferred over English in `header`, else `'en'`.
 *
 * @throws never
 * @example
 * ```ts
 * preferredLanguage('ja-JP,ja;q=0.9,en;q=0.8'); // 'ja'
 * ```
 */
export function preferredLanguage(header: string | string[] | undefined): ApiLanguage {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (typeof text !== 'string' || text === '') return 'en';
  let best: { language: ApiLanguage; weight: number } | undefined;
  for (const part of text.slice(0, 512).split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!Number.isFinite(weight) || weight <= 0) continue;
    const primary = range.trim().split('-')[0];
    const language: ApiLanguage | undefined = primary === 'ja' ? 'ja' : primary === 'en' ? 'en' : undefined;
    if (language !== undefined && (best === undefined || weight > best.weight)) best = { language, weight };
  }
  return best?.language ?? 'en';
}
