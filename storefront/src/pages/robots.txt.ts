import type { APIContext } from 'astro';

export function GET({ site }: APIContext): Response {
  const sitemap = new URL('/sitemap.xml', site).href;
  return new Response(`User-agent: *\nDisallow: /cart/\nDisallow: /checkout/\nDisallow: /order/\nAllow: /\n\nSitemap: ${sitemap}\n`, {
    headers: { 'content-type': 'text/plain' },
  });
}
