// The hot-path probe: in ONE run against one fresh embedded server (a child process, admission
// limits raised), it measures the HTTP ceiling (a no-op GET), the 256-shopper order flow, a
// browse mix and the checkout latency at 70% of the order rate, and prints the ratios the
// "make it fast" targets are stated in. The load comes from a second child process (undici
// keep-alive pools), so the generator's cost is never counted as the server's.
//   node bench/perf-probe.ts [--seconds 24] [--rounds 4] [--shoppers 256] [--ceiling-connections 64]
//                            [--phases ceiling,orders,browse,open] [--open-rate ORDERS_PER_S]
// --seconds is each workload's total, taken in --rounds slices that alternate between them.
//   PROBE_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/perf-probe.ts
// The figures are only comparable within one run: the machine is shared.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { serverCpuUs } from './generator/server-cpu.ts';
import { checkoutBody, client, createProduct } from '../test/support/client.ts';
import { startChildServer, tempDir } from '../test/support/server.ts';

interface ProbeSettings {
  url: string;
  sku: string;
  slugs: string[];
  skus: string[];
  seconds: number;
  shoppers: number;
  ceilingConnections: number;
  rounds: number;
  browseConnections: number;
  phases: string[];
  serverPid: number;
  /** A fixed open-model rate (orders/s) instead of 70% of the measured maximum. */
  openRate: number | undefined;
}

type Histogram = ReturnType<typeof hdr.build>;

const newHistogram = (): Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });

function summary(histogram: Histogram) {
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

// ---------------------------------------------------------------------------------------------
// The generator (child process): closed and open loops over undici pools.

async function generate(settings: ProbeSettings): Promise<void> {
  const origin = settings.url;
  const pool = new Pool(origin, { connections: 512, pipelining: 1, keepAliveTimeout: 60_000 });
  const json = { 'content-type': 'application/json' };

  async function call(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await pool.request({ method, path, body, headers: body === undefined ? headers : { ...json, ...headers } });
    const text = await response.body.text();
    return { status: response.statusCode, text, headers: response.headers };
  }

  const checkoutText = (n: number) => JSON.stringify(checkoutBody(`p${n}@example.com`));
  let shopperSequence = 0;

  /** One shopper: create a cart, add one unit of the hot SKU, check out. */
  async function order(checkoutLatency?: Histogram): Promise<{ ok: boolean; status: number }> {
    const n = shopperSequence++;
    const cart = await call('POST', '/store/carts', '{}');
    if (cart.status !== 201) return { ok: false, status: cart.status };
    const id = (JSON.parse(cart.text) as { id: string }).id;
    const line = await call('POST', `/store/carts/${id}/lines`, JSON.stringify({ sku: settings.sku, quantity: 1 }));
    if (line.status !== 201) return { ok: false, status: line.status };
    const sentAt = performance.now();
    const placed = await call('POST', `/store/carts/${id}/checkout`, checkoutText(n), { 'idempotency-key': `probe-${process.pid}-${n}` });
    checkoutLatency?.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
    return { ok: placed.status === 201, status: placed.status };
  }

  interface LoopRun {
    ok: number;
    elapsedS: number;
    serverCpuS: number;
    generatorCpuS: number;
    latency: Histogram;
    errors: Record<string, number>;
  }

  async function closedLoop(concurrency: number, seconds: number, task: () => Promise<{ ok: boolean; status: number }>): Promise<LoopRun> {
    const latency = newHistogram();
    const errors: Record<string, number> = {};
    let ok = 0;
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = cpuSecondsOf(settings.serverPid);
    const startedAt = performance.now();
    const endAt = startedAt + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < endAt) {
          const t0 = performance.now();
          const result = await task();
          latency.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
          if (result.ok) ok++;
          else errors[result.status] = (errors[result.status] ?? 0) + 1;
        }
      }),
    );
    const cpu = process.cpuUsage(cpuBefore);
    return {
      ok,
      elapsedS: (performance.now() - startedAt) / 1000,
      serverCpuS: cpuSecondsOf(settings.serverPid) - serverCpuBefore,
      generatorCpuS: (cpu.user + cpu.system) / 1e6,
      latency,
      errors,
    };
  }

  /** Several slices of one workload, interleaved with the others, as one figure. */
  function report(concurrency: number, runs: LoopRun[]) {
    const latency = newHistogram();
    const errors: Record<string, number> = {};
    let ok = 0;
    let elapsedS = 0;
    let serverCpuS = 0;
    let generatorCpuS = 0;
    for (const run of runs) {
      latency.add(run.latency);
      for (const [status, count] of Object.entries(run.errors)) errors[status] = (errors[status] ?? 0) + count;
      ok += run.ok;
      elapsedS += run.elapsedS;
      serverCpuS += run.serverCpuS;
      generatorCpuS += run.generatorCpuS;
    }
    return {
      concurrency,
      elapsedS: round(elapsedS),
      okPerS: round(ok / elapsedS),
      perSlice: runs.map((run) => round(run.ok / run.elapsedS)),
      ok,
      errors,
      latencyMs: summary(latency),
      generatorCpu: round(generatorCpuS / elapsedS),
      serverCpu: round(serverCpuS / elapsedS),
      // Server CPU time per completed unit (request or order), the figure least bent by noise.
      serverCpuUsPerOk: ok > 0 ? Math.round((serverCpuS * 1e6) / ok) : null,
    };
  }

  const health = async () => {
    const reply = await call('GET', '/healthz');
    return { ok: reply.status === 200, status: reply.status };
  };

  // A browse mix: lists, product pages and availability, half of them revalidated by ETag.
  const etags = new Map<string, string>();
  let browseSequence = 0;
  const browse = async () => {
    const n = browseSequence++;
    const pick = n % 10;
    let path: string;
    if (pick < 3) path = `/store/products?limit=20${n % 4 === 0 ? '&category=test-gear' : ''}`;
    else if (pick < 7) path = `/store/products/${settings.slugs[n % settings.slugs.length]}`;
    else {
      const a = settings.skus[n % settings.skus.length];
      const b = settings.skus[(n * 7 + 3) % settings.skus.length];
      path = `/store/availability?sku=${a}&sku=${b}`;
    }
    const known = etags.get(path);
    const revalidate = known !== undefined && n % 2 === 0;
    const reply = await call('GET', path, undefined, revalidate ? { 'if-none-match': known } : {});
    const etag = reply.headers['etag'];
    if (typeof etag === 'string') etags.set(path, etag);
    return { ok: reply.status === 200 || reply.status === 304, status: reply.status };
  };

  async function openLoop(ratePerS: number, seconds: number) {
    const checkoutLatency = newHistogram();
    const errors: Record<string, number> = {};
    let ok = 0;
    const running: Promise<void>[] = [];
    const startedAt = performance.now();
    const total = Math.floor(ratePerS * seconds);
    for (let i = 0; i < total; i++) {
      const dueAt = startedAt + (i * 1000) / ratePerS;
      const wait = dueAt - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      running.push(
        order(checkoutLatency).then((result) => {
          if (result.ok) ok++;
          else errors[result.status] = (errors[result.status] ?? 0) + 1;
        }),
      );
    }
    const lateStart = performance.now() - (startedAt + seconds * 1000);
    await Promise.all(running);
    return { ratePerS: round(ratePerS), arrivals: total, ok, errors, lastArrivalLateMs: round(lateStart), checkoutLatencyMs: summary(checkoutLatency) };
  }

  const out: Record<string, unknown> = {};
  const { phases, rounds } = settings;
  const slice = settings.seconds / rounds;
  // Warm the JIT on the paths measured; none of this is counted.
  if (phases.includes('ceiling')) await closedLoop(settings.ceilingConnections, 2, health);
  if (phases.includes('orders') || phases.includes('open')) await closedLoop(64, 3, () => order());
  if (phases.includes('browse')) await closedLoop(32, 2, browse);

  // The workloads take turns in short slices, so a noisy neighbour on the shared machine
  // weighs on all of them alike and the ratios stay comparable.
  const runs: Record<string, LoopRun[]> = { ceiling: [], orders: [], browse: [] };
  for (let round = 0; round < rounds; round++) {
    if (phases.includes('ceiling')) runs['ceiling']?.push(await closedLoop(settings.ceilingConnections, slice, health));
    if (phases.includes('orders')) runs['orders']?.push(await closedLoop(settings.shoppers, slice, () => order()));
    if (phases.includes('browse')) runs['browse']?.push(await closedLoop(settings.browseConnections, slice, browse));
  }
  if (phases.includes('ceiling')) {
    const ceiling = report(settings.ceilingConnections, runs['ceiling'] ?? []);
    out['ceiling'] = ceiling;
    out['ceilingRps'] = ceiling.okPerS;
  }
  if (phases.includes('orders')) out['orders'] = report(settings.shoppers, runs['orders'] ?? []);
  if (phases.includes('browse')) out['browse'] = report(settings.browseConnections, runs['browse'] ?? []);
  if (phases.includes('open')) {
    const maxRate = (out['orders'] as { okPerS: number } | undefined)?.okPerS;
    const rate = settings.openRate ?? (maxRate === undefined ? undefined : maxRate * 0.7);
    if (rate !== undefined && rate > 0) out['open70'] = await openLoop(rate, Math.min(10, settings.seconds));
  }
  await pool.close();
  process.stdout.write(JSON.stringify(out));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

// ---------------------------------------------------------------------------------------------
// The conductor: server, catalog, generator, ratios.

function cpuSecondsOf(pid: number): number {
  const us = serverCpuUs(pid);
  if (us === null) throw new Error(`no CPU time for process ${pid} in /proc`);
  return us / 1e6;
}

async function conduct(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '24' },
      rounds: { type: 'string', default: '4' },
      'ceiling-connections': { type: 'string', default: '64' },
      'open-rate': { type: 'string' },
      shoppers: { type: 'string', default: '256' },
      phases: { type: 'string', default: 'ceiling,orders,browse,open' },
    },
  });
  const dir = tempDir('probe');
  const serverOptions = process.env['PROBE_SERVER_NODE_OPTIONS'];
  const server = await startChildServer(
    {
      PEAKCART_DB: join(dir.path, 'peakcart.db'),
      PEAKCART_LOG_LEVEL: 'warn',
      PEAKCART_CHECKOUT_IN_FLIGHT_MAX: '1000000',
      PEAKCART_CART_IN_FLIGHT_MAX: '1000000',
      ...(serverOptions === undefined ? {} : { NODE_OPTIONS: serverOptions }),
    },
    [],
  );
  try {
    const api = client(server.url);
    // The hot SKU: limited, held at add-to-cart, with stock for every order the run can make.
    const hot = await createProduct(api, { onHand: 50_000_000, limited: true, holdAt: 'cart' });
    const browseProducts = [];
    for (let i = 0; i < 30; i++) browseProducts.push(await createProduct(api, { onHand: 1000 }));
    const settings: ProbeSettings = {
      url: server.url,
      sku: hot.sku,
      slugs: browseProducts.map((product) => product.slug),
      skus: browseProducts.map((product) => product.sku),
      seconds: Number(values.seconds),
      shoppers: Number(values.shoppers),
      ceilingConnections: Number(values['ceiling-connections']),
      rounds: Number(values.rounds),
      browseConnections: 64,
      phases: values.phases.split(','),
      serverPid: server.process.pid ?? 0,
      openRate: values['open-rate'] === undefined ? undefined : Number(values['open-rate']),
    };
    const serverPid = settings.serverPid;
    const cpuBefore = cpuSecondsOf(serverPid);
    const generator = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', import.meta.filename, '--generate'], { stdio: ['pipe', 'pipe', 'inherit'] });
    generator.stdin.end(JSON.stringify(settings));
    let output = '';
    generator.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => generator.once('exit', resolve));
    if (code !== 0) throw new Error(`the generator failed (exit ${code})`);
    const result = JSON.parse(output) as Record<string, unknown> & {
      ceilingRps?: number;
      ceiling?: { serverCpuUsPerOk: number | null };
      orders?: { okPerS: number; serverCpuUsPerOk: number | null };
      browse?: { okPerS: number; serverCpuUsPerOk: number | null };
      open70?: { checkoutLatencyMs: { p99: number } };
    };
    const ceiling = result.ceilingRps;
    const ratios = {
      ceilingRps: ceiling,
      ordersPerS: result.orders?.okPerS,
      ordersPerCeiling: ceiling && result.orders ? round((100 * result.orders.okPerS) / ceiling) / 100 : undefined,
      browsePerCeiling: ceiling && result.browse ? round((100 * result.browse.okPerS) / ceiling) / 100 : undefined,
      checkoutP99MsAt70: result.open70?.checkoutLatencyMs.p99,
      serverCpuUsPerNoop: result.ceiling?.serverCpuUsPerOk,
      serverCpuUsPerOrder: result.orders?.serverCpuUsPerOk,
      serverCpuUsPerBrowse: result.browse?.serverCpuUsPerOk,
      serverCpuS: round(cpuSecondsOf(serverPid) - cpuBefore),
    };
    const scrape = (await api.get('/metrics')).body as string;
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(scrape)?.[1] ?? NaN);
    const writes = { transactions: gauge('peakcart_store_write_transactions'), writes: gauge('peakcart_store_writes') };
    console.log(JSON.stringify({ ...result, writes: { ...writes, writesPerTransaction: round(writes.writes / writes.transactions) }, ratios }, null, 1));
    console.log(`RATIOS ${JSON.stringify(ratios)}`);
    if (process.env['PROBE_SHOW_SERVER_OUTPUT'] === '1') console.log(server.output());
  } finally {
    await server.kill('SIGTERM');
    dir.remove();
  }
}

if (process.argv.includes('--generate')) {
  let input = '';
  process.stdin.on('data', (chunk: Buffer) => (input += chunk.toString()));
  process.stdin.on('end', () => {
    generate(JSON.parse(input) as ProbeSettings).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
} else {
  await conduct();
}
