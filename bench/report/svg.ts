// Small inline-SVG charts for the report: lines over time, stacked bars over time, and the
// HdrHistogram percentile plot. No library and no external host: the report is one file.

export interface Line {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface Band {
  from: number;
  to: number;
  label: string;
}

const width = 560;
const height = 220;
const margin = { left: 56, right: 12, top: 14, bottom: 34 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  for (const factor of [1, 2, 2.5, 5, 10]) if (raw <= factor * power) return factor * power;
  return 10 * power;
}

export function formatNumber(value: number): string {
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  if (value >= 1_000) return `${(value / 1000).toFixed(1)}k`;
  if (value >= 100 || Number.isInteger(value)) return String(Math.round(value));
  if (value >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

function frame(body: string, xLabel: string, yLabel: string, legend: { name: string; color: string }[]): string {
  const legendItems = legend
    .map((item, index) => `<g transform="translate(${margin.left + 8 + index * 92},${margin.top - 2})"><rect width="10" height="10" y="-9" fill="${item.color}" rx="2"/><text x="14" font-size="11" fill="#333">${escapeXml(item.name)}</text></g>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" font-family="system-ui, sans-serif">
<rect width="${width}" height="${height}" fill="#fff"/>${body}
<text x="${margin.left + plotWidth / 2}" y="${height - 4}" font-size="11" text-anchor="middle" fill="#555">${escapeXml(xLabel)}</text>
<text transform="translate(12,${margin.top + plotHeight / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#555">${escapeXml(yLabel)}</text>
${legendItems}</svg>`;
}

function yAxis(maxY: number, log: boolean, minY: number): { ticks: string; toY: (value: number) => number } {
  if (log) {
    const low = Math.floor(Math.log10(Math.max(minY, 0.001)));
    const high = Math.ceil(Math.log10(Math.max(maxY, minY * 10, 0.01)));
    const toY = (value: number) => margin.top + plotHeight - ((Math.log10(Math.max(value, 10 ** low)) - low) / Math.max(1, high - low)) * plotHeight;
    let ticks = '';
    for (let power = low; power <= high; power++) {
      const y = toY(10 ** power);
      ticks += `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${margin.left - 6}" y="${y + 4}" font-size="10" text-anchor="end" fill="#666">${formatNumber(10 ** power)}</text>`;
    }
    return { ticks, toY };
  }
  const step = niceStep(maxY, 4);
  const top = Math.max(step, Math.ceil(maxY / step) * step);
  const toY = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;
  let ticks = '';
  for (let value = 0; value <= top + step / 2; value += step) {
    const y = toY(value);
    ticks += `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${margin.left - 6}" y="${y + 4}" font-size="10" text-anchor="end" fill="#666">${formatNumber(value)}</text>`;
  }
  return { ticks, toY };
}

function xAxis(minX: number, maxX: number, format: (value: number) => string = formatNumber): { ticks: string; toX: (value: number) => number } {
  const span = Math.max(1, maxX - minX);
  const toX = (value: number) => margin.left + ((value - minX) / span) * plotWidth;
  const step = niceStep(span, 8);
  let ticks = '';
  for (let value = Math.ceil(minX / step) * step; value <= maxX; value += step) {
    ticks += `<text x="${toX(value)}" y="${margin.top + plotHeight + 14}" font-size="10" text-anchor="middle" fill="#666">${format(value)}</text>`;
  }
  return { ticks, toX };
}

function bandsSvg(bands: Band[], toX: (value: number) => number): string {
  return bands
    .map((band, index) => `<rect x="${toX(band.from)}" y="${margin.top}" width="${Math.max(0, toX(band.to) - toX(band.from))}" height="${plotHeight}" fill="${index % 2 === 0 ? '#f6f8fb' : '#fff'}"/><text x="${(toX(band.from) + toX(band.to)) / 2}" y="${margin.top + plotHeight - 4}" font-size="10" text-anchor="middle" fill="#99a">${escapeXml(band.label)}</text>`)
    .join('');
}

export function lineChart(options: { lines: Line[]; xLabel: string; yLabel: string; log?: boolean; bands?: Band[]; xFormat?: (value: number) => string }): string {
  const all = options.lines.flatMap((line) => line.points);
  if (all.length === 0) return '<p class="muted">no data</p>';
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const positive = ys.filter((y) => y > 0);
  const { ticks: yTicks, toY } = yAxis(Math.max(...ys), options.log === true, positive.length > 0 ? Math.min(...positive) : 1);
  const { ticks: xTicks, toX } = xAxis(minX, maxX, options.xFormat);
  const paths = options.lines
    .map((line) => {
      if (line.points.length === 0) return '';
      const d = line.points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${toX(x).toFixed(1)},${toY(y).toFixed(1)}`).join('');
      const dots = line.points.length <= 40 ? line.points.map(([x, y]) => `<circle cx="${toX(x).toFixed(1)}" cy="${toY(y).toFixed(1)}" r="2" fill="${line.color}"/>`).join('') : '';
      return `<path d="${d}" fill="none" stroke="${line.color}" stroke-width="2"${line.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>${dots}`;
    })
    .join('');
  return frame(`${bandsSvg(options.bands ?? [], toX)}${yTicks}${xTicks}${paths}`, options.xLabel, options.yLabel, options.lines);
}

export function stackedBars(options: { xs: number[]; stacks: { name: string; color: string; values: number[] }[]; xLabel: string; yLabel: string; bands?: Band[] }): string {
  const stacks = options.stacks.filter((stack) => stack.values.some((value) => value > 0));
  if (options.xs.length === 0 || stacks.length === 0) return '<p class="muted">no data</p>';
  const totals = options.xs.map((_, index) => stacks.reduce((sum, stack) => sum + (stack.values[index] ?? 0), 0));
  const { ticks: yTicks, toY } = yAxis(Math.max(...totals, 1), false, 1);
  const minX = Math.min(...options.xs) - 0.5;
  const maxX = Math.max(...options.xs) + 0.5;
  const { ticks: xTicks, toX } = xAxis(minX, maxX);
  const barWidth = Math.max(1, (plotWidth / options.xs.length) * 0.8);
  let bars = '';
  options.xs.forEach((x, index) => {
    let base = 0;
    for (const stack of stacks) {
      const value = stack.values[index] ?? 0;
      if (value <= 0) continue;
      const y0 = toY(base);
      const y1 = toY(base + value);
      bars += `<rect x="${(toX(x) - barWidth / 2).toFixed(1)}" y="${y1.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(0.5, y0 - y1).toFixed(1)}" fill="${stack.color}"><title>${escapeXml(`${stack.name}: ${value} at ${x}s`)}</title></rect>`;
      base += value;
    }
  });
  return frame(`${bandsSvg(options.bands ?? [], toX)}${yTicks}${xTicks}${bars}`, options.xLabel, options.yLabel, stacks);
}

/** Latency by percentile on the classic HdrHistogram axis: 90%, 99%, 99.9% equally spaced. */
export function spectrumChart(lines: { name: string; color: string; points: { percentile: number; ms: number }[] }[]): string {
  const toNines = (percentile: number) => Math.min(5, Math.log10(1 / Math.max(1e-5, 1 - percentile / 100)));
  const chartLines: Line[] = lines.map((line) => ({ name: line.name, color: line.color, points: line.points.map((point) => [toNines(point.percentile), Math.max(point.ms, 0.01)] as [number, number]) }));
  const xFormat = (nines: number) => (nines === 0 ? '0%' : `${(100 - 100 / 10 ** nines).toFixed(Math.max(0, Math.round(nines) - 2))}%`);
  return lineChart({ lines: chartLines, xLabel: 'percentile', yLabel: 'latency, ms (log)', log: true, xFormat });
}
