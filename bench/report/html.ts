// bench/results/report.html: one self-contained page built from the JSON results present.
// Headline figures against the targets first, then per scenario and run: throughput, latency
// percentiles and error classes over time, the latency distribution, and the audit.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Audit } from '../audit.ts';
import type { RunResult, SecondStats } from '../generator/run.ts';
import { readResults, type ScenarioResult } from '../results.ts';
import { statusClasses } from '../stats.ts';
import { escapeXml, formatNumber, lineChart, spectrumChart, stackedBars, type Band } from './svg.ts';

type Run = Omit<RunResult, 'acks'>;

const classColors: Record<string, string> = {
  '2xx': '#3a9d5d',
  '304': '#8fd19e',
  '409': '#9aa5b1',
  '4xx': '#e0a526',
  '429': '#f08c3a',
  '503': '#d9534f',
  '5xx': '#8b1e1e',
  timeout: '#6f42c1',
  'conn-error': '#222',
};
const scenarioOrder = ['ceiling', 'browse', 'flash-sale', 'surge', 'crash'];
const palette = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1'];

const esc = escapeXml;
/** Milliseconds as a person reads them: 3 significant digits is all a busy machine resolves. */
const ms = (value: number) => (value >= 100 ? String(Math.round(value)) : value.toPrecision(3).replace(/\.?0+$/, ''));

function phaseBands(series: SecondStats[]): Band[] {
  const bands: Band[] = [];
  for (const second of series) {
    const last = bands[bands.length - 1];
    if (last !== undefined && last.label === second.phase) last.to = second.second;
    else bands.push({ from: second.second - 1, to: second.second, label: second.phase });
  }
  return bands.length > 1 ? bands : [];
}

interface RunCharts {
  throughput: string;
  latency: string;
  errors: string;
  distribution: string;
  cpu: string;
}

function chartsOf(run: Run): RunCharts {
  const series = run.series;
  const bands = phaseBands(series);
  const throughput = lineChart({
    lines: [
      { name: 'requests/s', color: palette[0] ?? '#000', points: series.map((s) => [s.second, s.requests]) },
      ...(run.orders > 0 ? [{ name: 'orders/s', color: palette[1] ?? '#000', points: series.map((s) => [s.second, s.orders] as [number, number]) }] : []),
    ],
    xLabel: 'second of the run',
    yLabel: 'per second',
    bands,
  });
  const latency = lineChart({
    lines: [
      { name: 'p50', color: '#2f855a', points: series.map((s) => [s.second, Math.max(0.01, s.latencyMs.p50)]) },
      { name: 'p90', color: '#2b6cb0', points: series.map((s) => [s.second, Math.max(0.01, s.latencyMs.p90)]) },
      { name: 'p99', color: '#c05621', points: series.map((s) => [s.second, Math.max(0.01, s.latencyMs.p99)]) },
      { name: 'max', color: '#999', dashed: true, points: series.map((s) => [s.second, Math.max(0.01, s.latencyMs.max)]) },
    ],
    xLabel: 'second of the run',
    yLabel: 'latency, ms (log)',
    log: true,
    bands,
  });
  const errors = stackedBars({
    xs: series.map((s) => s.second),
    stacks: statusClasses.map((name) => ({ name, color: classColors[name] ?? '#000', values: series.map((s) => s.byClass[name] ?? 0) })),
    xLabel: 'second of the run',
    yLabel: 'answers per second',
    bands,
  });
  const distribution = spectrumChart([{ name: 'all requests', color: palette[0] ?? '#000', points: run.spectrum }]);
  const cpu = lineChart({
    lines: [
      { name: 'generator', color: '#6b46c1', points: series.map((s) => [s.second, s.generatorCpuPct]) },
      ...(series.some((s) => s.serverCpuPct !== null) ? [{ name: 'server', color: '#c05621', points: series.map((s) => [s.second, s.serverCpuPct ?? 0] as [number, number]) }] : []),
    ],
    xLabel: 'second of the run',
    yLabel: '% of one core',
    bands,
  });
  return { throughput, latency, errors, distribution, cpu };
}

function runCharts(run: Run): string {
  const { throughput, latency, errors, distribution, cpu } = chartsOf(run);
  const kinds = Object.keys(run.latencyByKind);
  const kindRows = kinds
    .map((kind) => {
      const latency = run.latencyByKind[kind];
      return latency === undefined ? '' : `<tr><td>${esc(kind)}</td><td>${latency.count}</td><td>${ms(latency.p50)}</td><td>${ms(latency.p90)}</td><td>${ms(latency.p99)}</td><td>${ms(latency.p999)}</td><td>${ms(latency.max)}</td></tr>`;
    })
    .join('');
  const statusRows = Object.entries(run.errorsByStatus)
    .map(([status, count]) => `${esc(status)}: ${count}`)
    .join(', ');
  const typeRows = Object.entries(run.errorsByType)
    .map(([type, count]) => `${esc(type)}: ${count}`)
    .join(', ');
  const model = run.model.kind === 'closed' ? `closed model, ${run.model.concurrency} concurrent` : `open model, ${run.model.phases.map((phase) => `${phase.name} ${formatNumber(phase.ratePerS)}/s`).join(' → ')}`;
  return `<section class="run">
<h3>${esc(run.name)}</h3>
<p class="muted">${esc(model)} · ${run.connections} connections · ${run.durationS} s · ${run.requests} requests · ${formatNumber(run.throughputRps)} req/s · generator ${run.generator.cpuPct}% of a core${run.serverCpuPct === null ? '' : ` · server ${run.serverCpuPct}%`}</p>
${run.generator.warnings.map((warning) => `<p class="warn">⚠ ${esc(warning)}</p>`).join('')}
<div class="grid">
<figure>${throughput}<figcaption>Throughput over time</figcaption></figure>
<figure>${latency}<figcaption>Latency percentiles per second</figcaption></figure>
<figure>${errors}<figcaption>Answers by class per second (409 = sold out, 503/429 = turned away)</figcaption></figure>
<figure>${distribution}<figcaption>Latency distribution (whole run)</figcaption></figure>
<figure>${cpu}<figcaption>CPU of the generator and the server</figcaption></figure>
<figure><table><tr><th>request</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>${kindRows}</table>
<p class="muted">ms. Not 2xx/3xx: ${statusRows || 'none'}${typeRows ? `<br>by problem type: ${typeRows}` : ''}</p><figcaption>Latency by request</figcaption></figure>
</div></section>`;
}

function auditTable(verdict: Audit | null): string {
  if (verdict === null) return '';
  const cell = (name: string, value: number, mustBeZero: boolean) =>
    `<td class="${mustBeZero ? (value === 0 ? 'good' : 'bad') : ''}"><b>${value}</b><br><span>${esc(name)}</span></td>`;
  return `<table class="audit"><tr>
${cell('acknowledged', verdict.acknowledged, false)}${cell('stored', verdict.stored, false)}${cell('missing', verdict.missing, true)}${cell('oversold', verdict.oversold, true)}${cell('leaked holds', verdict.leakedHolds, true)}${cell('duplicate orders', verdict.duplicateOrders, true)}${cell('ledger ≠ orders', verdict.soldMismatch, true)}${cell('stored without ack', verdict.storedWithoutAck, false)}
<td class="${verdict.passed ? 'good' : 'bad'}"><b>${verdict.passed ? 'PASS' : 'FAIL'}</b><br><span>audit</span></td></tr></table>
${verdict.findings.length > 0 ? `<ul>${verdict.findings.slice(0, 20).map((finding) => `<li>${esc(finding)}</li>`).join('')}</ul>` : ''}`;
}

function scenarioExtras(result: ScenarioResult): string {
  const parts: string[] = [];
  const race = result['race'] as { units: number; shoppers: number; sold: number; sellingWindowS: number; ordersPerS: number } | undefined;
  if (race !== undefined) parts.push(`<p>Race: ${race.shoppers} shoppers for ${race.units} units, ${race.sold} sold in ${race.sellingWindowS} s (${race.ordersPerS} orders/s over the selling window).</p>`);
  const phases = result['phases'] as { name: string; arrivalsPerS: number | null; throughputRps: number; requests: number; ok: number; latencyMs: { p50: number; p99: number; max: number }; byClass: Record<string, number>; overloadAnswers: number; timeouts: number }[] | undefined;
  if (phases !== undefined) {
    parts.push(`<table><tr><th>phase</th><th>arrivals/s</th><th>req/s</th><th>requests</th><th>2xx/3xx</th><th>409</th><th>429</th><th>503</th><th>5xx</th><th>timeouts</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr>${phases
      .map((phase) => `<tr><td>${esc(phase.name)}</td><td>${formatNumber(phase.arrivalsPerS ?? 0)}</td><td>${formatNumber(phase.throughputRps)}</td><td>${phase.requests}</td><td>${phase.ok}</td><td>${phase.byClass['409'] ?? 0}</td><td>${phase.byClass['429'] ?? 0}</td><td>${phase.byClass['503'] ?? 0}</td><td>${phase.byClass['5xx'] ?? 0}</td><td>${phase.timeouts}</td><td>${ms(phase.latencyMs.p50)}</td><td>${ms(phase.latencyMs.p99)}</td><td>${ms(phase.latencyMs.max)}</td></tr>`)
      .join('')}</table><p class="muted">Requests left hanging: ${String(result['hanging'] ?? 0)}. 503/429 without Retry-After: ${String(result['overloadWithoutRetryAfter'] ?? 0)}.</p>`);
  }
  const restarts = result['restarts'] as { restart: number; killedAtS: number; soldBeforeKill: number; downMs: number; audit: Audit }[] | undefined;
  if (restarts !== undefined) {
    parts.push(`<table><tr><th>restart</th><th>killed at</th><th>orders before</th><th>down</th><th>missing</th><th>oversold</th><th>duplicates</th><th>audit</th></tr>${restarts
      .map((restart) => `<tr><td>${restart.restart}</td><td>${restart.killedAtS} s</td><td>${restart.soldBeforeKill}</td><td>${restart.downMs} ms</td><td>${restart.audit.missing}</td><td>${restart.audit.oversold}</td><td>${restart.audit.duplicateOrders}</td><td class="${restart.audit.passed ? 'good' : 'bad'}">${restart.audit.passed ? 'ok' : 'FAIL'}</td></tr>`)
      .join('')}</table>`);
  }
  const definitions = Object.entries(result.definitions)
    .map(([name, text]) => `<dt>${esc(name)}</dt><dd>${esc(text)}</dd>`)
    .join('');
  if (definitions) parts.push(`<details><summary>What the figures mean</summary><dl>${definitions}</dl></details>`);
  parts.push(`<details><summary>Server and command</summary><p><code>${esc(result.command)}</code> · ${result.server.startedByBench ? 'fresh server started by the bench' : `target ${esc(result.server.url)}`}</p><p class="muted">${Object.entries(result.server.env).map(([name, value]) => `${esc(name)}=${esc(value)}`).join(' · ')}</p></details>`);
  return parts.join('\n');
}

interface Headline {
  label: string;
  value: string;
  target: string;
  met: boolean | null;
}

function ratioText(result: ScenarioResult): string {
  const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
  const parts: string[] = [];
  if (result.ratioToCeiling !== null) parts.push(`${percent(result.ratioToCeiling)} of the ceiling scenario`);
  const beside = result['ratioToCeilingBeside'];
  if (typeof beside === 'number') parts.push(`${percent(beside)} of the no-op rate beside it`);
  return parts.length === 0 ? '' : ` = ${parts.join(', ')}`;
}

function headlines(byName: Map<string, ScenarioResult>): Headline[] {
  const list: Headline[] = [];
  const ceiling = byName.get('ceiling');
  if (ceiling !== undefined) list.push({ label: 'ceiling (no-op GET)', value: `${formatNumber(ceiling.throughputRps)} req/s`, target: 'the yardstick', met: null });
  const flash = byName.get('flash-sale');
  if (flash !== undefined) {
    const ratio = flash.ratioToCeiling;
    list.push({ label: 'flash sale, 256 shoppers', value: `${flash.ordersPerS ?? 0} orders/s${ratioText(flash)}`, target: '≥ 10% of ceiling', met: ratio === null ? null : ratio >= 0.1 });
    const at70 = flash['checkoutLatencyMsAt70'] as { p50: number; p99: number } | undefined;
    if (at70 !== undefined) list.push({ label: 'checkout at 70% of max', value: `p50 ${ms(at70.p50)} ms · p99 ${ms(at70.p99)} ms`, target: 'p99 ≤ 50 ms', met: at70.p99 <= 50 });
  }
  const browse = byName.get('browse');
  if (browse !== undefined) {
    const ratio = browse.ratioToCeiling;
    list.push({ label: 'browse', value: `${formatNumber(browse.throughputRps)} req/s${ratioText(browse)}`, target: '≥ 70% of ceiling', met: ratio === null ? null : ratio >= 0.7 });
  }
  const surge = byName.get('surge');
  if (surge !== undefined) {
    const phases = (surge['phases'] as { name: string; byClass: Record<string, number>; latencyMs: { p99: number } }[] | undefined) ?? [];
    const peak = phases.find((phase) => phase.name === '30x');
    const hanging = Number(surge['hanging'] ?? 0);
    const served = peak === undefined ? '' : `30x: p99 ${ms(peak.latencyMs.p99)} ms, ${peak.byClass['503'] ?? 0} × 503, ${peak.byClass['timeout'] ?? 0} timeouts`;
    list.push({ label: 'surge to 30x', value: `${served}; ${hanging} hanging`, target: 'no crash, nothing hanging', met: hanging === 0 && (peak?.byClass['conn-error'] ?? 0) === 0 });
  }
  const crash = byName.get('crash');
  if (crash !== undefined) {
    const restarts = (crash['restarts'] as unknown[] | undefined)?.length ?? 0;
    list.push({ label: `crash, ${restarts} × kill -9`, value: crash.audit?.passed === true ? 'audit all zeros' : 'audit FAILED', target: 'all zeros after every restart', met: crash.audit?.passed ?? null });
  }
  const audits = [...byName.values()].filter((result) => result.audit !== null);
  if (audits.length > 0) list.push({ label: 'audits', value: `${audits.filter((result) => result.audit?.passed).length} of ${audits.length} pass`, target: 'all zeros in every scenario', met: audits.every((result) => result.audit?.passed === true) });
  return list;
}

const style = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#1a202c;padding:0 16px}
h1{margin-bottom:4px}h2{margin-top:40px;border-bottom:2px solid #e2e8f0;padding-bottom:4px}h3{margin-bottom:2px}
.muted{color:#718096;font-size:13px}.warn{color:#b7791f;font-size:13px;margin:2px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px;margin:16px 0}
.card{border:1px solid #e2e8f0;border-radius:8px;padding:12px 14px;border-left:6px solid #a0aec0}
.card.met{border-left-color:#38a169}.card.missed{border-left-color:#e53e3e}
.card .label{font-size:13px;color:#4a5568}.card .value{font-size:20px;font-weight:600;margin:4px 0}.card .target{font-size:12px;color:#718096}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:8px}
figure{margin:0}figcaption{font-size:12px;color:#4a5568;text-align:center}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #e2e8f0;padding:4px 8px;text-align:right}th{background:#f7fafc}
td:first-child,th:first-child{text-align:left}
table.audit td{text-align:center;min-width:80px}table.audit span{font-size:11px;color:#4a5568}
.good{background:#f0fff4;color:#276749}.bad{background:#fff5f5;color:#c53030}
dt{font-weight:600;margin-top:6px}dd{margin-left:12px;font-size:13px}summary{cursor:pointer;font-size:13px;color:#2b6cb0}`;

/** The scenario's own warnings (the box's speed beside its window); each run shows the generator's. */
function scenarioWarnings(result: ScenarioResult): string {
  const fromRuns = (warning: string) => result.runs.some((run) => warning.startsWith(`${run.name}: `));
  return result.warnings
    .filter((warning) => !fromRuns(warning))
    .map((warning) => `<p class="warn">⚠ ${esc(warning)}</p>`)
    .join('');
}

export function buildReport(results: ScenarioResult[]): string {
  const byName = new Map(results.map((result) => [result.scenario, result]));
  const ordered = [...scenarioOrder.flatMap((name) => (byName.has(name) ? [byName.get(name) as ScenarioResult] : [])), ...results.filter((result) => !scenarioOrder.includes(result.scenario))];
  const first = ordered[0];
  const cards = headlines(byName)
    .map((headline) => `<div class="card ${headline.met === null ? '' : headline.met ? 'met' : 'missed'}"><div class="label">${esc(headline.label)}</div><div class="value">${esc(headline.value)}</div><div class="target">target: ${esc(headline.target)}</div></div>`)
    .join('');
  const sections = ordered
    .map((result) => `<h2 id="${esc(result.scenario)}">${esc(result.scenario)}</h2>
<p class="muted">${esc(result.startedAt)} · ${result.durationS} s of load · ${formatNumber(result.throughputRps)} req/s · p99 ${ms(result.latencyMs.p99)} ms${result.ordersPerS === null ? '' : ` · ${result.ordersPerS} orders/s`}${result.ratioToCeiling === null ? '' : ` · ${(result.ratioToCeiling * 100).toFixed(1)}% of ceiling`}</p>
${scenarioWarnings(result)}
${auditTable(result.audit)}
${scenarioExtras(result)}
${result.runs.map(runCharts).join('\n')}`)
    .join('\n');
  const machine = first === undefined ? '' : `${first.machine.cpus} × ${first.machine.cpuModel}, ${first.machine.memoryGiB} GiB, ${first.machine.platform}, Node ${first.machine.node}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>peakcart benchmark report</title><style>${style}</style></head>
<body>
<h1>peakcart benchmark report</h1>
<p class="muted">${esc(machine)} · generator on the same machine as the server · ${ordered.map((result) => `<a href="#${esc(result.scenario)}">${esc(result.scenario)}</a>`).join(' · ')}</p>
<div class="cards">${cards}</div>
${sections || '<p>No results yet: run <code>npm run bench -- all</code>.</p>'}
</body></html>
`;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Writes report.html, and each chart as its own SVG under charts/ for documents to embed. */
export function writeReport(outDir: string): string {
  const results = readResults(outDir);
  const path = join(outDir, 'report.html');
  writeFileSync(path, buildReport(results));
  const chartsDir = join(outDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  for (const result of results) {
    for (const run of result.runs) {
      for (const [chart, svg] of Object.entries(chartsOf(run))) writeFileSync(join(chartsDir, `${slug(run.name)}-${chart}.svg`), svg);
    }
  }
  return path;
}
