/** Medians, quartiles and their rendering for the cold-start bench. */

/** The q-quantile (0..1) by linear interpolation between the sorted values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

export interface Summary { readonly n: number; readonly median: number; readonly p25: number; readonly p75: number }

export function summarize(values: number[]): Summary {
  return { n: values.length, median: median(values), p25: quantile(values, 0.25), p75: quantile(values, 0.75) };
}

/** `a[i] - b[i]` for each pair (the instrumented run minus the uninstrumented run of the same round). */
export function paired(a: number[], b: number[]): number[] {
  if (a.length !== b.length) throw new Error(`paired: ${a.length} values against ${b.length}`);
  return a.map((x, i) => x - b[i]);
}

/** Milliseconds, whole above 10 and with one decimal below, a sign on differences. */
export function ms(x: number, signed = false): string {
  if (!Number.isFinite(x)) return '–';
  const text = Math.abs(x) >= 10 ? Math.round(x).toString() : x.toFixed(1);
  return signed && x > 0 ? `+${text}` : text;
}

/** `median [p25 – p75]`, or the median alone from fewer than 3 values (no spread to speak of). */
export function cell(s: Summary | undefined, signed = false): string {
  if (!s || s.n === 0) return '–';
  if (s.n < 3) return ms(s.median, signed);
  return `${ms(s.median, signed)} [${ms(s.p25, signed)} – ${ms(s.p75, signed)}]`;
}

/** A Markdown table: header cells, then rows; the first `left` columns left-aligned, the others right. */
export function markdownTable(header: string[], rows: string[][], left = 1): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_h, i) => (i < left ? '---' : '---:'))), ...rows.map(line)].join('\n');
}
