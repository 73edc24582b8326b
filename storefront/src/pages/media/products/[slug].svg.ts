// Product pictures as files of the site, drawn by the same code as the API's media route, so
// the site needs no image host and works on any CDN.
import type { GetStaticPaths } from 'astro';
import { productImageSvg } from '../../../../../src/seed/product-image.ts';
import { catalog, type Product } from '../../../lib/catalog.ts';

export const getStaticPaths = (() => catalog().products.map((product) => ({ params: { slug: product.slug }, props: { product } }))) satisfies GetStaticPaths;

export function GET({ props }: { props: { product: Product } }): Response {
  const { slug, title, category } = props.product;
  return new Response(productImageSvg({ slug, title, categorySlug: category }), { headers: { 'content-type': 'image/svg+xml' } });
}
