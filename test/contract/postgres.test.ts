// Runs the Store contract suite on the PostgreSQL adapter against a real PostgreSQL started for
// this file (test/support/postgres-server.ts), one fresh schema per test. Skips, naming the
// Debian package, only when the binaries are missing and CI is not set.

import { after, before } from 'node:test';
import postgres from 'postgres';
import { openPostgresStore } from '../../src/adapters/postgres/store.ts';
import { postgresSkipReason, startPostgres, type PostgresServer } from '../support/postgres-server.ts';
import { runContract } from './run-contract.ts';

const skip = postgresSkipReason();
let server: PostgresServer | undefined;
let admin: postgres.Sql | undefined;
let schemaCounter = 0;

before(async () => {
  if (skip !== false) return;
  server = await startPostgres('contract');
  admin = postgres(server.url, { max: 1, onnotice: () => {} });
});

after(async () => {
  await admin?.end({ timeout: 1 });
  await server?.destroy();
});

runContract({
  name: 'postgres',
  skip,
  async makeStore() {
    if (server === undefined || admin === undefined) throw new Error('PostgreSQL is not running');
    const schema = `contract_${(schemaCounter += 1)}`;
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    return openPostgresStore({ url: server.url, schema, poolMax: 4 });
  },
});
