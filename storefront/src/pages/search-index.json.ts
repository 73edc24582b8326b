// The client-side search index: a few fields per product, fetched once by the search page.
import { catalog, categoryName, formatMoney, imageOf, lowestPrice, productPath } from '../lib/catalog.ts';

export function GET(): Response {
  const items = catalog().products.map((product) => {
    const price = lowestPrice(product);
    return {
      t: product.title,
      u: productPath(product),
      c: categoryName(product.category),
      p: price === undefined ? '' : formatMoney(price),
      i: imageOf(product).url,
      // Words matched besides the title: description and variant names, lower-cased once here.
      w: `${product.title} ${product.description} ${categoryName(product.category)} ${product.variants.map((variant) => variant.title).join(' ')}`.toLowerCase(),
    };
  });
  return new Response(JSON.stringify(items), { headers: { 'content-type': 'application/json' } });
}
