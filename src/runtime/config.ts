// Configuration from the environment, with the defaults of the embedded shop. Every knob has
// its unit in its name; a bad value stops the start with a message rather than a surprise.

import { defaultShopConfig, type ShopConfig } from '../core/config.ts';

export interface RuntimeConfig {
  host: string;
  port: number;
  dbPath: string;
  /** postgres://… selects the scale-out store (PostgreSQL or CockroachDB); unset means SQLite. */
  databaseUrl: string | undefined;
  /** Most connections one instance opens to PostgreSQL. */
  databasePoolMax: number;
  dataDir: string;
  adminKey: string | undefined;
  corsOrigins: string[];
  logLevel: string;
  sweepIntervalMs: number;
  relayIntervalMs: number;
  shutdownGraceMs: number;
  /** How long /readyz says 503 before the listener closes, so a load balancer stops routing here first. */
  drainMs: number;
  bodyBytesMax: number;
  inFlightMax: { checkout: number; cart: number; admin: number };
  shop: ShopConfig;
  /** Redis for the stock holds (scale-out): redis://host:port[/db] or redis-cluster://host:port,host:port,... */
  redisUrl: string | undefined;
  /** How long a SKU Redis lost waits before it is reloaded from the store (writes in flight land first). */
  redisReloadQuarantineMs: number;
  storefront: StorefrontConfig;
}

export interface StorefrontConfig {
  /** Serve (and build) the storefront at `/`; `serve --storefront` turns it on. */
  enabled: boolean;
  /** Where built sites are kept (`builds/<id>/dist`, and the `current` link). */
  dir: string;
  /** Origin named in canonical URLs and the sitemap; by default the server's own URL. */
  siteUrl: string | undefined;
  /** Origin of the Store API as browsers reach it; '' is the storefront's own origin. */
  apiOrigin: string;
  /** Quiet time after a catalog change before the site is rebuilt. */
  rebuildDelayMs: number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, not '${raw}'`);
  }
  return value;
}

function dirname(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '.' : path.slice(0, index);
}

function databaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new Error("PEAKCART_DATABASE_URL must start with postgres:// or postgresql://");
  return raw;
}

export function loadConfig(env: Env): RuntimeConfig {
  const dbPath = env['PEAKCART_DB'] || './data/peakcart.db';
  const dataDir = env['PEAKCART_DATA_DIR'] || dirname(dbPath);
  const policy = defaultShopConfig.policy;
  return {
    host: env['HOST'] || '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65_535),
    dbPath,
    databaseUrl: databaseUrl(env['PEAKCART_DATABASE_URL']),
    databasePoolMax: integer(env, 'PEAKCART_DATABASE_POOL_MAX', 10, 1, 1_000),
    dataDir,
    adminKey: env['PEAKCART_ADMIN_KEY'] || undefined,
    corsOrigins: (env['PEAKCART_CORS_ORIGINS'] ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    logLevel: env['PEAKCART_LOG_LEVEL'] || 'info',
    sweepIntervalMs: integer(env, 'PEAKCART_SWEEP_INTERVAL_MS', 1_000, 10, 3_600_000),
    relayIntervalMs: integer(env, 'PEAKCART_RELAY_INTERVAL_MS', 500, 10, 3_600_000),
    shutdownGraceMs: integer(env, 'PEAKCART_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    drainMs: integer(env, 'PEAKCART_DRAIN_MS', 0, 0, 60_000),
    bodyBytesMax: integer(env, 'PEAKCART_BODY_BYTES_MAX', 64 * 1024, 1024, 10 * 1024 * 1024),
    inFlightMax: {
      checkout: integer(env, 'PEAKCART_CHECKOUT_IN_FLIGHT_MAX', 1_024, 1, 1_000_000),
      cart: integer(env, 'PEAKCART_CART_IN_FLIGHT_MAX', 512, 1, 1_000_000),
      admin: integer(env, 'PEAKCART_ADMIN_IN_FLIGHT_MAX', 64, 1, 1_000_000),
    },
    redisUrl: env['PEAKCART_REDIS_URL'] || undefined,
    redisReloadQuarantineMs: integer(env, 'PEAKCART_REDIS_RELOAD_QUARANTINE_MS', 1_000, 0, 60_000),
    shop: {
      ...defaultShopConfig,
      defaultCurrency: env['PEAKCART_DEFAULT_CURRENCY'] || defaultShopConfig.defaultCurrency,
      policy: {
        cartTtlMs: integer(env, 'PEAKCART_CART_TTL_MS', policy.cartTtlMs, 1_000, 365 * 86_400_000),
        cartLinesMax: integer(env, 'PEAKCART_CART_LINES_MAX', policy.cartLinesMax, 1, 1_000),
        lineQuantityMax: integer(env, 'PEAKCART_LINE_QUANTITY_MAX', policy.lineQuantityMax, 1, 1_000_000),
        checkoutHoldMinMs: integer(env, 'PEAKCART_CHECKOUT_HOLD_MIN_MS', policy.checkoutHoldMinMs, 1_000, 86_400_000),
      },
      captureRecoveryAfterMs: integer(env, 'PEAKCART_CAPTURE_RECOVERY_AFTER_MS', defaultShopConfig.captureRecoveryAfterMs, 1_000, 86_400_000),
    },
    storefront: {
      enabled: env['PEAKCART_STOREFRONT'] === 'on',
      dir: env['PEAKCART_STOREFRONT_DIR'] || `${dataDir}/storefront`,
      siteUrl: env['PEAKCART_SITE_URL'] || undefined,
      apiOrigin: env['PEAKCART_STOREFRONT_API_ORIGIN'] ?? '',
      rebuildDelayMs: integer(env, 'PEAKCART_STOREFRONT_REBUILD_DELAY_MS', 1_000, 0, 3_600_000),
    },
  };
}
