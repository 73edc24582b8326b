// npm run cluster -- --instances 3 [--port 8080] [--no-seed] [--no-redis]
// The scale-out topology for a developer: PostgreSQL, Redis, N instances and HAProxy on
// loopback from Debian's binaries, seeded with the demo catalog; Ctrl-C stops all of it.

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '../deploy/local-cluster.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '3' },
    port: { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
    'no-redis': { type: 'boolean', default: false },
  },
});
const instances = Number(values.instances);
if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
  console.error('--instances must be a whole number from 1 to 16');
  process.exit(2);
}
const port = values.port === undefined ? undefined : Number(values.port);
const adminKey = process.env['PEAKCART_ADMIN_KEY'] ?? `pk_admin_${randomBytes(18).toString('base64url')}`;

console.log(`Starting PostgreSQL, ${values['no-redis'] ? 'no Redis' : 'Redis'}, ${instances} instance(s) and HAProxy...`);
const cluster = await startLocalCluster({ instances, adminKey, redis: !values['no-redis'], port, seed: !values['no-seed'], env: { PEAKCART_LOG_LEVEL: 'warn' } });

console.log(`
peakcart scale-out cluster is up
  shop (HAProxy)   ${cluster.url}        try ${cluster.url}/store/products
  HAProxy stats    ${cluster.statsUrl}/   (Prometheus: ${cluster.statsUrl}/metrics)
  instances        ${cluster.instances.map((instance) => `${instance.name}=127.0.0.1:${instance.port}`).join('  ')}
  PostgreSQL       ${cluster.databaseUrl}
  Redis            ${cluster.redisUrl ?? '(off)'}
  admin key        ${adminKey}
Ctrl-C stops everything.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the cluster...');
  await cluster.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
