/**
 * Result reporting shared by the benchmarks: a console table (ours, peer, ratio, target), the JSON
 * document under bench/results/<name>.json and a small hand-written SVG bar chart beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';

/** A target: on the ratio ours/peer, or on our absolute figure. */
export interface Target {
  readonly on: 'ratio' | 'ours';
  readonly op: '<=' | '>=' | '<' | '>';
  readonly value: number;
}

export interface Comparison {
  readonly metric: string;
  readonly unit: string;
  readonly ours: number;
  /** The peer's figure from the same run; null when the row has no peer (absolute target only). */
  readonly peer: number | null;
  readonly peerName?: string;
  readonly target?: Target;
  readonly note?: string;
}

export interface ComparisonRow extends Comparison {
  /** ours / peer. */
  readonly ratio: number | null;
  /** undefined when the row has no target. */
  readonly met?: boolean;
}

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

function check(value: number, target: Target): boolean {
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
    case '<':
      return value < target.value;
    case '>':
      return value > target.value;
  }
}

export function evaluate(rows: readonly Comparison[]): ComparisonRow[] {
  return rows.map((row) => {
    const ratio = row.peer === null || row.peer === 0 ? null : row.ours / row.peer;
    let met: boolean | undefined;
    if (row.target !== undefined) {
      const value = row.target.on === 'ratio' ? ratio : row.ours;
      met = value === null ? false : check(value, row.target);
    }
    return { ...row, ratio, ...(met !== undefined ? { met } : {}) };
  });
}

export function formatNumber(n: number | null): string {
  if (n === null || Number.isNaN(n)) return '–';
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** ours / peer as `1.23x`; small ratios keep their significant digits (`0.0043x`). */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || Number.isNaN(ratio)) return '–';
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}x`;
}

export function formatTarget(target: Target | undefined): string {
  if (target === undefined) return '';
  return `${target.on === 'ratio' ? 'ratio' : 'ours'} ${target.op} ${target.value}`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

export function printTable(title: string, peerName: string, rows: readonly ComparisonRow[]): void {
  const header = ['metric', 'unit', 'ours', peerName, 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.metric,
    r.unit,
    formatNumber(r.ours),
    formatNumber(r.peer),
    formatRatio(r.ratio),
    formatTarget(r.target),
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  console.log(`\n${title}`);
  console.log(pad(header, widths));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(pad(b, widths));
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/** Two horizontal bars per row (ours, peer), each row scaled to its own maximum. */
export function renderSvg(title: string, peerName: string, rows: readonly ComparisonRow[]): string {
  const legend = peerName === '–' ? 'no peer' : peerName;
  const labelWidth = 330;
  const barWidth = 360;
  const rowHeight = 46;
  const width = labelWidth + barWidth + 150;
  const height = 50 + rows.length * rowHeight + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${labelWidth}" y="28" width="10" height="10" fill="#2b6cb0"/><text x="${labelWidth + 14}" y="37">City Chain Auth</text>`,
    `<rect x="${labelWidth + 130}" y="28" width="10" height="10" fill="#a0aec0"/><text x="${labelWidth + 144}" y="37">${escapeXml(legend)}</text>`,
  ];
  rows.forEach((r, i) => {
    const y = 50 + i * rowHeight;
    const max = Math.max(r.ours, r.peer ?? 0) || 1;
    const ours = (r.ours / max) * barWidth;
    const peer = ((r.peer ?? 0) / max) * barWidth;
    const verdict = r.met === undefined ? '' : r.met ? ' ✓' : ' ✗';
    const ratio = r.ratio === null ? '' : ` (${formatRatio(r.ratio)})`;
    parts.push(
      `<text x="10" y="${y + 14}">${escapeXml(r.metric)}</text>`,
      `<text x="10" y="${y + 30}" fill="#555">${escapeXml(`${r.unit}${ratio}${verdict}`)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${ours.toFixed(1)}" height="14" fill="#2b6cb0"/>`,
      `<text x="${labelWidth + ours + 4}" y="${y + 15}">${escapeXml(formatNumber(r.ours))}</text>`,
    );
    if (r.peer !== null) {
      parts.push(
        `<rect x="${labelWidth}" y="${y + 21}" width="${peer.toFixed(1)}" height="14" fill="#a0aec0"/>`,
        `<text x="${labelWidth + peer + 4}" y="${y + 32}">${escapeXml(formatNumber(r.peer))}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export function environment(): Record<string, unknown> {
  return {
    node: process.version,
    openssl: process.versions.openssl,
    platform: `${platform()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    /** 1/5/15-minute load averages at the end of the run: other work on the machine skews figures. */
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export interface BenchReport {
  readonly name: string;
  readonly title: string;
  readonly peerName: string;
  readonly rows: readonly Comparison[];
  readonly details?: Record<string, unknown>;
}

/** Prints the table and writes results/<name>.json and results/<name>.svg. */
export function report(input: BenchReport): ComparisonRow[] {
  const rows = evaluate(input.rows);
  printTable(input.title, input.peerName, rows);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const doc = {
    benchmark: input.name,
    title: input.title,
    peer: input.peerName,
    measuredAt: new Date().toISOString(),
    environment: environment(),
    rows,
    details: input.details ?? {},
  };
  writeFileSync(`${RESULTS_DIR}${input.name}.json`, `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(`${RESULTS_DIR}${input.name}.svg`, renderSvg(input.title, input.peerName, rows));
  console.log(`wrote results/${input.name}.json and results/${input.name}.svg`);
  return rows;
}
