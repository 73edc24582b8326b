// The hottest catalog GETs answered without the middleware stack: product lists, product pages,
// categories and availability are most of a shop's traffic and need none of the body parsing,
// idempotency or admission the stack exists for. The answers are the catalog routes' own
// (catalog-answers.ts) with the same headers the stack adds. Anything unusual is declined, and
// the caller hands the request to the full app: odd query characters, invalid parameters (the
// app answers those with a problem), a product that is not found, any error.

import type { Shop } from '../core/shop.ts';
import { availabilityJson, catalogRoutes, catalogSchemas, categoriesJson, productDetailJson, productListJson, type CatalogJson, type CatalogRoute } from './catalog-answers.ts';
import { storeAnswerHeaders, type FastAnswer, type FastRequest } from './fast-answer.ts';
import { cacheAnswer, type Compress } from './middleware/cache.ts';

/** Answers a request, or returns undefined at once when it is not one to answer here. */
export type CatalogFastPath = (request: FastRequest) => Promise<FastAnswer> | undefined;

const productPrefix = '/store/products/';
/** Queries of these characters decode the same in every parser; anything else goes the long way. */
const plainQuery = /^[A-Za-z0-9_.~=&+-]*$/;
const plainSlug = /^[a-z0-9-]{1,200}$/;
/** Distinct query strings remembered with their parsed value; beyond it the memory starts over. */
const parsedQueriesMax = 2_000;

type Parsed<T> = { ok: true; value: T } | { ok: false };

/** Query parameters as Hono's validator hands them over: one value a string, several an array. */
function queryObject(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

function parsedQueries<T>(schema: { safeParse(input: unknown): { success: true; data: T } | { success: false } }): (search: string) => Parsed<T> {
  let memory = new Map<string, Parsed<T>>();
  return (search) => {
    let parsed = memory.get(search);
    if (parsed === undefined) {
      const result = schema.safeParse(queryObject(search));
      parsed = result.success ? { ok: true, value: Object.freeze(result.data) } : { ok: false };
      if (memory.size >= parsedQueriesMax) memory = new Map();
      memory.set(search, parsed);
    }
    return parsed;
  };
}

export function catalogFastPath(options: { shop: Shop; corsOrigins: readonly string[]; compress: Compress | undefined }): CatalogFastPath {
  const { shop, compress } = options;
  const addStoreHeaders = storeAnswerHeaders(options.corsOrigins);
  const listQuery = parsedQueries(catalogSchemas.list);
  const availabilityQuery = parsedQueries(catalogSchemas.availability);

  const answer = async (request: FastRequest, route: CatalogRoute, pending: Promise<CatalogJson>): Promise<FastAnswer> => {
    const { json, policy } = await pending;
    const { status, headers, body } = cacheAnswer(json, policy, request.header('if-none-match'), request.header('accept-encoding'));
    addStoreHeaders(request, headers);
    return { route, status, headers, body };
  };

  return (request) => {
    if (request.method !== 'GET') return undefined;
    const { url } = request;
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const search = mark === -1 ? '' : url.slice(mark + 1);
    if (!plainQuery.test(search)) return undefined;
    switch (path) {
      case catalogRoutes.list: {
        const query = listQuery(search);
        return query.ok ? answer(request, catalogRoutes.list, productListJson(shop, query.value, compress)) : undefined;
      }
      case catalogRoutes.availability: {
        const query = availabilityQuery(search);
        return query.ok ? answer(request, catalogRoutes.availability, availabilityJson(shop, query.value)) : undefined;
      }
      case catalogRoutes.categories:
        return answer(request, catalogRoutes.categories, categoriesJson(shop, compress));
      default: {
        if (!path.startsWith(productPrefix)) return undefined;
        const slug = path.slice(productPrefix.length);
        if (!plainSlug.test(slug) || !catalogSchemas.slug.safeParse({ slug }).success) return undefined;
        return answer(request, catalogRoutes.product, productDetailJson(shop, slug, compress));
      }
    }
  };
}
