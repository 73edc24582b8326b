// The core and the HTTP app must run on Cloudflare Workers too: they may import no Node
// module and no adapter (only the core's ports). This reads their sources and checks.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1] ?? '');
}

const nodeBuiltins = /^(node:|fs$|path$|os$|http$|https$|net$|child_process$|crypto$|url$|stream$|worker_threads$)/;

it('src/core imports nothing but itself: no Node, no adapter, no package', () => {
  for (const file of sources(join(root, 'src/core'))) {
    for (const spec of imports(file)) {
      assert.ok(spec.startsWith('./'), `${relative(root, file)} imports ${spec}`);
    }
  }
});

it('src/core never reads the clock, the environment or the network by itself', () => {
  for (const file of sources(join(root, 'src/core'))) {
    const text = readFileSync(file, 'utf8');
    for (const forbidden of [/\bDate\.now\(/, /\bprocess\.[a-z]/, /\bfetch\(/, /\bMath\.random\(/, /\bsetTimeout\(/, /\bnew Date\(\)/]) {
      assert.ok(!forbidden.test(text), `${relative(root, file)} uses ${forbidden}`);
    }
  }
});

it('src/http imports no Node module and no adapter', () => {
  for (const file of sources(join(root, 'src/http'))) {
    for (const spec of imports(file)) {
      assert.ok(!nodeBuiltins.test(spec), `${relative(root, file)} imports ${spec}`);
      assert.ok(!spec.includes('/adapters/') && !spec.includes('/runtime/'), `${relative(root, file)} imports ${spec}`);
    }
  }
});
