// What the HTTP app needs from its runtime beyond the shop: metrics and logging. Node provides
// prom-client and pino behind these; Workers can provide their own.

export interface HttpMetrics {
  observeRequest(method: string, route: string, status: number, durationMs: number): void;
  countOrder(currency: string, totalMinor: number): void;
  countHold(sku: string): void;
  countStockOut(sku: string): void;
  /** The scrape body, e.g. Prometheus text format. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface HttpLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: HttpLogger = { info() {}, warn() {}, error() {} };

export const noMetrics: HttpMetrics = {
  observeRequest() {},
  countOrder() {},
  countHold() {},
  countStockOut() {},
  async render() {
    return { contentType: 'text/plain', body: '' };
  },
};
