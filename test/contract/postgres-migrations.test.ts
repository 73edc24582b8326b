// Several instances started at once on one fresh PostgreSQL all run the migrations at once:
// every one of them must come up, and each migration must be applied exactly once. Against a
// real PostgreSQL started for this file; a fresh schema per round.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import postgres from 'postgres';
import { connect, type Sql } from '../../src/adapters/postgres/connection.ts';
import { migrate, migrations } from '../../src/adapters/postgres/migrations.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';

const skip = postgresSkipReason();
const rounds = 12;
const migrators = 4;
let server: PostgresServer | undefined;
let admin: postgres.Sql | undefined;

before(async () => {
  if (skip !== false) return;
  server = await startPostgres('migrations');
  admin = postgres(server.url, { max: 1, onnotice: () => {} });
});

after(async () => {
  await admin?.end({ timeout: 1 });
  await server?.destroy();
});

it(`brings up ${migrators} migrators started at once on a fresh schema, each migration applied once (${rounds} rounds)`, { skip, timeout: 120_000 }, async () => {
  if (server === undefined || admin === undefined) throw new Error('PostgreSQL is not running');
  for (let round = 1; round <= rounds; round++) {
    const schema = `migrate_${round}`;
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    const pools: Sql[] = Array.from({ length: migrators }, () => connect({ url: server!.url, schema, poolMax: 1 }));
    try {
      const applied = await Promise.all(pools.map((sql) => migrate(sql)));
      assert.deepEqual(applied.flat().sort((x, y) => x - y), migrations.map((migration) => migration.version), `round ${round}`);
      const ledger: Array<Record<string, unknown>> = await admin.unsafe(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(ledger.map((row) => Number(row['version'])), migrations.map((migration) => migration.version));
    } finally {
      await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
    }
  }
});
