/** Internal: the plain-text tables of the commands' human output (columns padded, two spaces apart). */

/**
 * Lays out `rows` under `header`, each column as wide as its widest cell, trailing spaces trimmed.
 *
 * @throws never
 * @example
 * ```ts
 * textTable(['KID', 'STATUS'], [['abc', 'active']]); // 'KID  STATUS\nabc  active'
 * ```
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
