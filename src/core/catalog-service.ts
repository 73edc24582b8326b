// Catalog use cases: what shoppers browse (published products only) and what merchants edit.

import { isSellable, productPageSizeMax, type Category, type Page, type Product, type ProductQuery, type Variant } from './catalog.ts';
import type { CoreDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import { stockStatus } from './stock.ts';

export interface ProductInput {
  slug: string;
  title: string;
  description: string;
  images: Product['images'];
  categorySlug: string;
  attributes: Record<string, string>;
  published: boolean;
  variants: Variant[];
}

export interface Availability {
  sku: string;
  available: number;
  status: ReturnType<typeof stockStatus>;
}

export interface CatalogService {
  categories(): Promise<Category[]>;
  upsertCategory(category: Category): Promise<Category>;
  listPublished(query: Omit<ProductQuery, 'includeUnpublished'>): Promise<Page<Product>>;
  listAll(query: Omit<ProductQuery, 'includeUnpublished'>): Promise<Page<Product>>;
  publishedBySlug(slug: string): Promise<Product>;
  get(id: string): Promise<Product>;
  create(input: ProductInput): Promise<Product>;
  update(id: string, change: Partial<ProductInput>): Promise<Product>;
  remove(id: string): Promise<void>;
  availability(skus: string[]): Promise<{ items: Availability[]; unknown: string[] }>;
}

export function createCatalogService(deps: CoreDeps): CatalogService {
  const { store, clock, ids, config } = deps;

  async function load(id: string): Promise<Product> {
    const product = await store.catalog.getProduct(id);
    if (product === undefined) throw new DomainError('not-found', 'No product with this id.', { resource: 'product' });
    return product;
  }

  async function checkCategory(slug: string): Promise<void> {
    const categories = await store.catalog.listCategories();
    if (!categories.some((category) => category.slug === slug)) {
      throw new DomainError('validation', `There is no category '${slug}'.`, { field: 'categorySlug' });
    }
  }

  function checkVariants(variants: Variant[]): void {
    const skus = new Set<string>();
    for (const variant of variants) {
      if (skus.has(variant.sku)) throw new DomainError('validation', `SKU ${variant.sku} appears twice.`, { sku: variant.sku });
      skus.add(variant.sku);
      for (const currency of Object.keys(variant.prices)) {
        if (!config.currencies.includes(currency)) {
          throw new DomainError('validation', `This shop sells in ${config.currencies.join(', ')}, not ${currency}.`, { sku: variant.sku });
        }
      }
    }
  }

  const clampLimit = (limit: number) => Math.min(Math.max(1, limit), productPageSizeMax);

  return {
    categories: () => store.catalog.listCategories(),

    async upsertCategory(category) {
      await store.catalog.upsertCategory(category);
      return category;
    },

    listPublished: (query) => store.catalog.listProducts({ ...query, limit: clampLimit(query.limit), includeUnpublished: false }),
    listAll: (query) => store.catalog.listProducts({ ...query, limit: clampLimit(query.limit), includeUnpublished: true }),

    async publishedBySlug(slug) {
      const product = await store.catalog.getProductBySlug(slug);
      if (product === undefined || !product.published) throw new DomainError('not-found', 'No product with this slug.', { resource: 'product' });
      return product;
    },

    get: load,

    async create(input) {
      await checkCategory(input.categorySlug);
      checkVariants(input.variants);
      const nowMs = clock.nowMs();
      const product: Product = { ...input, id: ids.newId('prod'), createdAtMs: nowMs, updatedAtMs: nowMs };
      await store.catalog.createProduct(product);
      return product;
    },

    async update(id, change) {
      const current = await load(id);
      if (change.categorySlug !== undefined) await checkCategory(change.categorySlug);
      if (change.variants !== undefined) checkVariants(change.variants);
      const next: Product = { ...current, ...change, id, updatedAtMs: clock.nowMs() };
      await store.catalog.updateProduct(next);
      return next;
    },

    async remove(id) {
      if (!(await store.catalog.deleteProduct(id))) throw new DomainError('not-found', 'No product with this id.', { resource: 'product' });
    },

    async availability(skus) {
      const unique = [...new Set(skus)];
      const known = await store.catalog.findSkus(unique);
      const levels = await store.stock.getLevels(unique, clock.nowMs());
      const items: Availability[] = [];
      const unknown: string[] = [];
      for (const sku of unique) {
        const info = known.get(sku);
        if (!isSellable(info)) {
          unknown.push(sku);
          continue;
        }
        const available = Math.max(0, levels.get(sku)?.available ?? 0);
        items.push({ sku, available, status: stockStatus(available, info.variant.allowBackorder, config.lowStockThreshold) });
      }
      return { items, unknown };
    },
  };
}
