// Demo product images are served as static files and inlined by the storefront, so they must be
// well-formed, self-contained (nothing fetched from another host), escaped and deterministic.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { demoCatalog } from '../../src/seed/demo-catalog.ts';
import { escapeXml, productImageSvg } from '../../src/seed/product-image.ts';

const products = demoCatalog(0).products;
const svgNamespace = 'http://www.w3.org/2000/svg';

/** Open and close tags pair up: enough of a well-formedness check for generated markup. */
function assertBalancedTags(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^<>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') assert.equal(stack.pop(), name, `unexpected </${name}>`);
    else stack.push(name ?? '');
  }
  assert.deepEqual(stack, [], 'unclosed tags');
  assert.doesNotMatch(svg.replace(/<[^<>]*>/g, ''), /[<>]/, 'stray angle bracket in text');
}

describe('productImageSvg', () => {
  it('draws a well-formed, small, self-contained SVG for every demo product', () => {
    for (const product of products) {
      const svg = productImageSvg(product);
      assert.ok(svg.startsWith('<svg '), product.slug);
      assert.ok(svg.endsWith('</svg>'), product.slug);
      assert.ok(svg.includes(`xmlns="${svgNamespace}"`), product.slug);
      assert.ok(svg.includes(`<title>${escapeXml(product.title)}</title>`), product.slug);
      assert.equal(svg.replace(svgNamespace, '').includes('http'), false, `${product.slug}: external reference`);
      assert.doesNotMatch(svg, /href|@import|<script|<foreignObject/i, product.slug);
      assert.ok(svg.length < 4096, `${product.slug}: ${svg.length} bytes`);
      assertBalancedTags(svg);
    }
  });

  it('escapes the title in text and attributes', () => {
    const svg = productImageSvg({ slug: 'odd', title: `Tom's <Best> "Pack" & Co`, categorySlug: 'backpacks' });
    assert.ok(svg.includes('Tom&apos;s &lt;Best&gt; &quot;Pack&quot; &amp; Co'));
    assert.ok(!svg.includes('<Best>'));
    assertBalancedTags(svg);
  });

  it('is deterministic, and colours differ between products', () => {
    const [first, second] = products;
    assert.ok(first && second);
    assert.equal(productImageSvg(first), productImageSvg({ ...first }));
    const gradient = (svg: string) => svg.match(/stop-color="(#[0-9a-f]{6})"/)?.[1];
    const colours = new Set(products.map((product) => gradient(productImageSvg(product))));
    assert.ok(colours.size > products.length / 2, `${colours.size} distinct colours`);
  });

  it('wraps long titles and still draws an unknown category', () => {
    const svg = productImageSvg({
      slug: 'long-one',
      title: 'Switchback Self-Inflating Sleeping Pad With An Unreasonably Long Name For A Tile',
      categorySlug: 'not-a-category',
    });
    const lines = [...svg.matchAll(/<tspan /g)].length;
    assert.ok(lines >= 2 && lines <= 3, `${lines} lines`);
    assert.ok(svg.includes('…'));
    assertBalancedTags(svg);
  });
});
