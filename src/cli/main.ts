#!/usr/bin/env node
// peakcart serve | migrate | seed — the command line of the embedded shop.
//   serve [--seed-if-empty]  migrate, optionally seed an empty store, then serve HTTP
//   migrate                  bring the database schema up to date
//   seed                     load the demo catalog (refuses when products exist)
//   storefront build         render the static storefront (see src/cli/storefront.ts)

import { loadConfig } from '../runtime/config.ts';
import { openShop, startServer, systemClock } from '../runtime/node.ts';
import { seedDemo } from './seed.ts';
import { storefrontCommand } from './storefront.ts';

const usage = 'usage: peakcart serve [--seed-if-empty] [--storefront] | migrate | seed | storefront build';

async function seedIfEmpty(sayWhyNot: boolean): Promise<void> {
  const config = loadConfig(process.env);
  const { store } = await openShop(config);
  try {
    const existing = await store.catalog.countProducts();
    if (existing > 0) {
      if (sayWhyNot) console.error(`The store already has ${existing} products; not seeding.`);
      return;
    }
    const seeded = await seedDemo(store, systemClock.nowMs());
    console.log(`Seeded the demo catalog: ${seeded.products} products, ${seeded.skus} SKUs.`);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  switch (command) {
    case 'migrate': {
      // Opening the store runs its migrations.
      const { store } = await openShop(loadConfig(process.env));
      await store.close();
      console.log('The database schema is up to date.');
      return 0;
    }
    case 'seed':
      await seedIfEmpty(true);
      return 0;
    case 'storefront':
      return storefrontCommand(flags);
    case 'serve': {
      if (flags.includes('--seed-if-empty')) await seedIfEmpty(false);
      const config = loadConfig(process.env);
      if (flags.includes('--storefront')) config.storefront.enabled = true;
      const server = await startServer(config);
      const shutdown = (signal: string) => {
        console.log(`${signal}: finishing in-flight requests, then stopping.`);
        server.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(error);
            process.exit(1);
          },
        );
      };
      let signalled = false;
      const onSignal = (signal: NodeJS.Signals) => {
        // A second Ctrl-C means "now"; a repeated SIGTERM changes nothing while draining.
        if (signalled && signal === 'SIGINT') process.exit(130);
        if (signalled) return;
        signalled = true;
        shutdown(signal);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      // Announced only once a signal would be handled: whoever waits for this line may stop us.
      console.log(`peakcart is serving on ${server.url} (API docs at ${server.url}/docs)`);
      return -1;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
