// sitemap.xml: home, every category page and every product; cart and checkout are not content.
import type { APIContext } from 'astro';
import { catalog, categoryPath, productPath, productsIn } from '../lib/catalog.ts';
import { categoryPageSize } from './categories/[category]/[...page].astro';

export function GET({ site }: APIContext): Response {
  const at = (path: string) => new URL(path, site).href;
  const urls = [at('/'), at('/search/')];
  for (const category of catalog().categories) {
    const pages = Math.max(1, Math.ceil(productsIn(category.slug).length / categoryPageSize));
    urls.push(at(categoryPath(category.slug)));
    for (let page = 2; page <= pages; page++) urls.push(at(`${categoryPath(category.slug)}${page}/`));
  }
  for (const product of catalog().products) urls.push(`${at(productPath(product))}\t${product.updatedAt}`);
  const body = urls
    .map((entry) => {
      const [loc, lastmod] = entry.split('\t');
      return `<url><loc>${loc}</loc>${lastmod === undefined ? '' : `<lastmod>${lastmod}</lastmod>`}</url>`;
    })
    .join('');
  return new Response(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${body}</urlset>`, {
    headers: { 'content-type': 'application/xml' },
  });
}
