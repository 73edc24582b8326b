// The CatalogStore port on SQLite: categories, products, and their variants (one row per SKU,
// so a SKU belongs to one product at most and stock, carts and orders can find it by key).

import type { SQLInputValue } from 'node:sqlite';
import type { Category, HoldAt, Page, Product, ProductImage, ProductQuery, SkuInfo, Variant } from '../../core/catalog.ts';
import { productPageSizeMax } from '../../core/catalog.ts';
import { DomainError } from '../../core/errors.ts';
import type { CatalogStore } from '../../core/ports.ts';
import type { Batcher } from './batcher.ts';
import { asRow, bool, cursorText, encodeCursor, flag, int, intOrNull, json, jsonList, pageSize, refuseNul, text, type Row } from './codec.ts';
import type { Prepare } from './connection.ts';
import { createReadCache, type CatalogWatcher } from './read-cache.ts';

/** Most words a text search may have; bounds both the query's cost and the statement cache. */
export const searchWordsMax = 8;

const productColumns = 'id, slug, title, description, category_slug, published, images_json, attributes_json, created_at_ms, updated_at_ms';
const variantColumns =
  'sku, product_id, title, options_json, prices_json, limited, hold_at, hold_ttl_ms, purchase_limit_per_customer, allow_backorder';

const sql = {
  categories: 'SELECT slug, name, description, position FROM categories ORDER BY position, slug',
  upsertCategory: `
    INSERT INTO categories (slug, name, description, position) VALUES (:slug, :name, :description, :position)
    ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description, position = excluded.position`,
  productById: `SELECT ${productColumns} FROM products WHERE id = ?`,
  productBySlug: `SELECT ${productColumns} FROM products WHERE slug = ?`,
  productsByIds: `SELECT ${productColumns} FROM products WHERE id IN (SELECT value FROM json_each(?))`,
  variantsOf: `SELECT ${variantColumns} FROM variants WHERE product_id IN (SELECT value FROM json_each(?)) ORDER BY product_id, position`,
  skuOwners: 'SELECT sku, product_id FROM variants WHERE sku IN (SELECT value FROM json_each(?))',
  slugOwner: 'SELECT id FROM products WHERE slug = ?',
  insertProduct: `
    INSERT INTO products (id, slug, title, description, search_text, category_slug, published, images_json, attributes_json, created_at_ms, updated_at_ms)
    VALUES (:id, :slug, :title, :description, :searchText, :categorySlug, :published, :imagesJson, :attributesJson, :createdAtMs, :updatedAtMs)`,
  updateProduct: `
    UPDATE products SET slug = :slug, title = :title, description = :description, search_text = :searchText,
      category_slug = :categorySlug, published = :published, images_json = :imagesJson, attributes_json = :attributesJson,
      created_at_ms = :createdAtMs, updated_at_ms = :updatedAtMs
    WHERE id = :id`,
  deleteVariantsOf: 'DELETE FROM variants WHERE product_id = ?',
  insertVariant: `
    INSERT INTO variants (sku, product_id, position, title, options_json, prices_json, limited, hold_at, hold_ttl_ms, purchase_limit_per_customer, allow_backorder)
    VALUES (:sku, :productId, :position, :title, :optionsJson, :pricesJson, :limited, :holdAt, :holdTtlMs, :purchaseLimitPerCustomer, :allowBackorder)`,
  deleteProduct: 'DELETE FROM products WHERE id = ?',
  countProducts: 'SELECT COUNT(*) AS count FROM products',
} as const;

function decodeVariant(row: Row): Variant {
  return {
    sku: text(row, 'sku'),
    title: text(row, 'title'),
    options: json<Record<string, string>>(row, 'options_json'),
    prices: json<Record<string, number>>(row, 'prices_json'),
    limited: bool(row, 'limited'),
    holdAt: text(row, 'hold_at') as HoldAt,
    holdTtlMs: int(row, 'hold_ttl_ms'),
    purchaseLimitPerCustomer: intOrNull(row, 'purchase_limit_per_customer'),
    allowBackorder: bool(row, 'allow_backorder'),
  };
}

function decodeProduct(row: Row, variants: Variant[]): Product {
  return {
    id: text(row, 'id'),
    slug: text(row, 'slug'),
    title: text(row, 'title'),
    description: text(row, 'description'),
    images: json<ProductImage[]>(row, 'images_json'),
    categorySlug: text(row, 'category_slug'),
    attributes: json<Record<string, string>>(row, 'attributes_json'),
    published: bool(row, 'published'),
    variants,
    createdAtMs: int(row, 'created_at_ms'),
    updatedAtMs: int(row, 'updated_at_ms'),
  };
}

function productParams(product: Product): Record<string, SQLInputValue> {
  return {
    id: product.id,
    slug: product.slug,
    title: product.title,
    description: product.description,
    searchText: `${product.title}\n${product.description}`.toLowerCase(),
    categorySlug: product.categorySlug,
    published: flag(product.published),
    imagesJson: JSON.stringify(product.images),
    attributesJson: JSON.stringify(product.attributes),
    createdAtMs: product.createdAtMs,
    updatedAtMs: product.updatedAtMs,
  };
}

/** A LIKE pattern matching `word` anywhere, with the wildcards in the word taken literally. */
function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function refuseNulInProduct(product: Product): void {
  const { id, slug, title, description, categorySlug } = product;
  refuseNul({ id, slug, title, description, categorySlug });
  for (const variant of product.variants) refuseNul({ sku: variant.sku, 'variant title': variant.title });
}

function searchWords(text: string | undefined): string[] {
  const words = (text ?? '').toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length > searchWordsMax) {
    throw new DomainError('validation', `A search may have at most ${searchWordsMax} words.`, { field: 'q', max: searchWordsMax });
  }
  return words;
}

export function createCatalogStore(prepare: Prepare, batcher: Batcher, external: CatalogWatcher): CatalogStore {
  // Shoppers read the catalog on every page, add-to-cart and checkout; merchants change it
  // rarely. Reads come from these caches, which every catalog write here empties.
  const invalidateAll = () => {
    for (const cache of [categoriesCache, bySlugCache, pageCache, skuCache]) cache.invalidate();
  };
  const categoriesCache = createReadCache<Category[]>(external, invalidateAll);
  const bySlugCache = createReadCache<Product | undefined>(external, invalidateAll);
  const pageCache = createReadCache<Page<Product>>(external, invalidateAll);
  const skuCache = createReadCache<SkuInfo | undefined>(external, invalidateAll);

  /** Products with their variants, in the order of `rows`. */
  function withVariants(rows: Row[]): Product[] {
    const ids = rows.map((row) => text(row, 'id'));
    const variantsByProduct = new Map<string, Variant[]>(ids.map((id) => [id, []]));
    for (const found of prepare(sql.variantsOf).all(jsonList(ids))) {
      const row = asRow(found);
      variantsByProduct.get(text(row, 'product_id'))?.push(decodeVariant(row));
    }
    return rows.map((row) => decodeProduct(row, variantsByProduct.get(text(row, 'id')) ?? []));
  }

  function productWhere(sqlText: string, key: string): Product | undefined {
    const found = prepare(sqlText).get(key);
    return found === undefined ? undefined : withVariants([asRow(found)])[0];
  }

  /** Throws 'conflict' when the slug or a SKU belongs to another product. Runs in the write transaction. */
  function checkOwnership(product: Product): void {
    refuseNulInProduct(product);
    const skus = product.variants.map((variant) => variant.sku);
    const repeated = skus.find((sku, index) => skus.indexOf(sku) !== index);
    if (repeated !== undefined) {
      throw new DomainError('validation', `SKU ${repeated} appears twice in product ${product.slug}.`, { sku: repeated });
    }
    const slugOwner = prepare(sql.slugOwner).get(product.slug);
    if (slugOwner !== undefined && text(asRow(slugOwner), 'id') !== product.id) {
      throw new DomainError('conflict', `The slug '${product.slug}' is taken by another product.`, { slug: product.slug });
    }
    for (const found of prepare(sql.skuOwners).all(jsonList(skus))) {
      const row = asRow(found);
      if (text(row, 'product_id') !== product.id) {
        const sku = text(row, 'sku');
        throw new DomainError('conflict', `The SKU '${sku}' belongs to another product.`, { sku });
      }
    }
  }

  function writeVariants(product: Product): void {
    prepare(sql.deleteVariantsOf).run(product.id);
    product.variants.forEach((variant, position) => {
      prepare(sql.insertVariant).run({
        sku: variant.sku,
        productId: product.id,
        position,
        title: variant.title,
        optionsJson: JSON.stringify(variant.options),
        pricesJson: JSON.stringify(variant.prices),
        limited: flag(variant.limited),
        holdAt: variant.holdAt,
        holdTtlMs: variant.holdTtlMs,
        purchaseLimitPerCustomer: variant.purchaseLimitPerCustomer,
        allowBackorder: flag(variant.allowBackorder),
      });
    });
  }

  return {
    async listCategories() {
      return categoriesCache.get('all', () =>
        prepare(sql.categories)
          .all()
          .map((found): Category => {
            const row = asRow(found);
            return { slug: text(row, 'slug'), name: text(row, 'name'), description: text(row, 'description'), position: int(row, 'position') };
          }),
      );
    },

    async upsertCategory(category) {
      const { slug, name, description, position } = category;
      refuseNul({ slug, name, description });
      await batcher.run(() => {
        invalidateAll();
        prepare(sql.upsertCategory).run({ slug, name, description, position });
      });
    },

    async createProduct(product) {
      await batcher.run(() => {
        invalidateAll();
        if (prepare(sql.productById).get(product.id) !== undefined) {
          throw new DomainError('conflict', `A product with id '${product.id}' already exists.`, { id: product.id });
        }
        checkOwnership(product);
        prepare(sql.insertProduct).run(productParams(product));
        writeVariants(product);
      });
    },

    async updateProduct(product) {
      await batcher.run(() => {
        invalidateAll();
        if (prepare(sql.productById).get(product.id) === undefined) {
          throw new DomainError('not-found', `There is no product with id '${product.id}'.`, { id: product.id });
        }
        checkOwnership(product);
        prepare(sql.updateProduct).run(productParams(product));
        writeVariants(product);
      });
    },

    async deleteProduct(id) {
      // Variants go with it (ON DELETE CASCADE); stock rows stay, they are the warehouse's truth.
      return batcher.run(() => {
        invalidateAll();
        return Number(prepare(sql.deleteProduct).run(id).changes) > 0;
      });
    },

    async getProduct(id) {
      return productWhere(sql.productById, id);
    },

    async getProductBySlug(slug) {
      return bySlugCache.get(slug, () => productWhere(sql.productBySlug, slug));
    },

    async listProducts(query: ProductQuery): Promise<Page<Product>> {
      const key = JSON.stringify([query.includeUnpublished, query.categorySlug, query.text, query.cursor, query.limit]);
      return pageCache.get(key, () => readProducts(query));
    },

    async findSkus(skus) {
      const found = new Map<string, SkuInfo>();
      for (const sku of skus) {
        const info = skuCache.get(sku, () => readSkus([sku]).get(sku));
        if (info !== undefined) found.set(sku, info);
      }
      return found;
    },

    async countProducts() {
      return int(asRow(prepare(sql.countProducts).get()), 'count');
    },
  };

  function readProducts(query: ProductQuery): Page<Product> {
    const limit = pageSize(query.limit, productPageSizeMax);
    const conditions: string[] = [];
    const params: Record<string, SQLInputValue> = { limit: limit + 1 };
    if (!query.includeUnpublished) conditions.push('published = 1');
    if (query.categorySlug !== undefined) {
      conditions.push('category_slug = :categorySlug');
      params['categorySlug'] = query.categorySlug;
    }
    const words = searchWords(query.text);
    // No stored text holds a NUL (refuseNul), and SQLite would cut the LIKE pattern at one,
    // turning the word into "match anything": a word with a NUL simply matches nothing.
    if (words.some((word) => word.includes('\u0000'))) return { items: [], nextCursor: null };
    words.forEach((word, index) => {
      conditions.push(`search_text LIKE :word${index} ESCAPE '\\'`);
      params[`word${index}`] = containsPattern(word);
    });
    if (query.cursor !== undefined) {
      conditions.push('slug > :afterSlug');
      params['afterSlug'] = cursorText(query.cursor, 'slug');
    }
    // Only the shape of the query varies (which filters, how many words), never a value in it.
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = prepare(`SELECT ${productColumns} FROM products ${where} ORDER BY slug LIMIT :limit`).all(params).map(asRow);
    const items = withVariants(rows.slice(0, limit));
    const last = items.at(-1);
    const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ slug: last.slug }) : null;
    return { items, nextCursor };
  }

  function readSkus(skus: string[]): Map<string, SkuInfo> {
    const owners = prepare(sql.skuOwners).all(jsonList([...new Set(skus)])).map(asRow);
    const productIds = [...new Set(owners.map((row) => text(row, 'product_id')))];
    const products = new Map(withVariants(prepare(sql.productsByIds).all(jsonList(productIds)).map(asRow)).map((product) => [product.id, product]));
    const found = new Map<string, SkuInfo>();
    for (const owner of owners) {
      const sku = text(owner, 'sku');
      const product = products.get(text(owner, 'product_id'));
      const variant = product?.variants.find((candidate) => candidate.sku === sku);
      if (product !== undefined && variant !== undefined) found.set(sku, { product, variant });
    }
    return found;
  }
}
