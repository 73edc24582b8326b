// Structured JSON logs on stdout (pino): one line per event, cheap enough for the hot path.

import { pino } from 'pino';
import type { HttpLogger } from '../http/ports.ts';

export function createLogger(level: string): HttpLogger & { flush(): void } {
  const logger = pino({ level, base: { service: 'peakcart' } });
  return {
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
    flush: () => logger.flush(),
  };
}
