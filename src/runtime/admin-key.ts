// The admin key: PEAKCART_ADMIN_KEY when set; otherwise one generated at first start, kept in
// the data directory (readable by the owner only) and printed once.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webCryptoIds } from '../platform/web-crypto.ts';

export function resolveAdminKey(configured: string | undefined, dataDir: string, announce: (key: string, path: string) => void): string {
  if (configured !== undefined) return configured;
  const path = join(dataDir, 'admin-key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `pk_admin_${webCryptoIds.newSecret()}`;
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  announce(key, path);
  return key;
}
