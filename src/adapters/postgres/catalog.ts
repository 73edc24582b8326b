// The CatalogStore port on PostgreSQL: categories, products, and their variants (one row per
// SKU). Unique slugs and SKUs are checked with a friendly message first and enforced by the
// constraints, so two instances creating the same slug at once still end with one product.

import type { Category, HoldAt, Page, Product, ProductImage, ProductQuery, SkuInfo, Variant } from '../../core/catalog.ts';
import { productPageSizeMax } from '../../core/catalog.ts';
import { DomainError } from '../../core/errors.ts';
import type { CatalogStore } from '../../core/ports.ts';
import { searchWordsMax } from '../sqlite/catalog.ts';
import { bool, cursorText, encodeCursor, int, intOrNull, json, pageSize, refuseNul, text, type Row } from './codec.ts';
import { all, isUniqueViolation, read, transaction, type Sql, type Tx } from './connection.ts';

const productColumns = 'id, slug, title, description, category_slug, published, images_json, attributes_json, created_at_ms, updated_at_ms';
const variantColumns =
  'sku, product_id, title, options_json, prices_json, limited, hold_at, hold_ttl_ms, purchase_limit_per_customer, allow_backorder';

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

/** A LIKE pattern matching `word` anywhere, with the wildcards in the word taken literally. */
function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function refuseNulInProduct(product: Product): void {
  const { id, slug, title, description, categorySlug } = product;
  refuseNul({ id, slug, title, description, categorySlug });
  for (const variant of product.variants) refuseNul({ sku: variant.sku, 'variant title': variant.title });
}

function searchWords(query: string | undefined): string[] {
  const words = (query ?? '').toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length > searchWordsMax) {
    throw new DomainError('validation', `A search may have at most ${searchWordsMax} words.`, { field: 'q', max: searchWordsMax });
  }
  return words;
}

/** A unique constraint that lost a race becomes the same 'conflict' the friendly check gives. */
function conflictOnDuplicate(error: unknown, product: Product): unknown {
  if (!isUniqueViolation(error)) return error;
  return new DomainError('conflict', `The slug '${product.slug}' or one of the SKUs of this product is taken.`, { slug: product.slug });
}

export function createCatalogStore(sql: Sql): CatalogStore {
  /** Products with their variants, in the order of `rows`. */
  async function withVariants(db: Tx, rows: Row[]): Promise<Product[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => text(row, 'id'));
    const variantsByProduct = new Map<string, Variant[]>(ids.map((id) => [id, []]));
    const variants = await db.unsafe(`SELECT ${variantColumns} FROM variants WHERE product_id = ANY($1::TEXT[]) ORDER BY product_id, position`, [ids]);
    for (const row of variants as Row[]) variantsByProduct.get(text(row, 'product_id'))?.push(decodeVariant(row));
    return rows.map((row) => decodeProduct(row, variantsByProduct.get(text(row, 'id')) ?? []));
  }

  async function productWhere(column: 'id' | 'slug', key: string): Promise<Product | undefined> {
    return read(async () => {
      const rows = await sql.unsafe(`SELECT ${productColumns} FROM products WHERE ${column} = $1`, [key]);
      return (await withVariants(sql, rows as Row[]))[0];
    });
  }

  /** Throws 'conflict' when the slug or a SKU belongs to another product. */
  async function checkOwnership(tx: Tx, product: Product): Promise<void> {
    refuseNulInProduct(product);
    const skus = product.variants.map((variant) => variant.sku);
    const repeated = skus.find((sku, index) => skus.indexOf(sku) !== index);
    if (repeated !== undefined) {
      throw new DomainError('validation', `SKU ${repeated} appears twice in product ${product.slug}.`, { sku: repeated });
    }
    const [slugOwners, skuOwners] = await all([
      tx`SELECT id FROM products WHERE slug = ${product.slug}`,
      tx`SELECT sku, product_id FROM variants WHERE sku = ANY(${skus}::TEXT[])`,
    ]);
    const slugOwner = (slugOwners as Row[])[0];
    if (slugOwner !== undefined && text(slugOwner, 'id') !== product.id) {
      throw new DomainError('conflict', `The slug '${product.slug}' is taken by another product.`, { slug: product.slug });
    }
    for (const row of skuOwners as Row[]) {
      if (text(row, 'product_id') !== product.id) {
        const sku = text(row, 'sku');
        throw new DomainError('conflict', `The SKU '${sku}' belongs to another product.`, { sku });
      }
    }
  }

  async function writeProduct(tx: Tx, product: Product, mode: 'insert' | 'update'): Promise<void> {
    const values = {
      id: product.id,
      slug: product.slug,
      title: product.title,
      description: product.description,
      search_text: `${product.title}\n${product.description}`.toLowerCase(),
      category_slug: product.categorySlug,
      published: product.published,
      images_json: JSON.stringify(product.images),
      attributes_json: JSON.stringify(product.attributes),
      created_at_ms: product.createdAtMs,
      updated_at_ms: product.updatedAtMs,
    };
    const { id, ...changes } = values;
    const variants = product.variants.map((variant, position) => ({
      sku: variant.sku,
      product_id: product.id,
      position,
      title: variant.title,
      options_json: JSON.stringify(variant.options),
      prices_json: JSON.stringify(variant.prices),
      limited: variant.limited,
      hold_at: variant.holdAt,
      hold_ttl_ms: variant.holdTtlMs,
      purchase_limit_per_customer: variant.purchaseLimitPerCustomer,
      allow_backorder: variant.allowBackorder,
    }));
    await all([
      mode === 'insert' ? tx`INSERT INTO products ${tx(values)}` : tx`UPDATE products SET ${tx(changes)} WHERE id = ${id}`,
      tx`DELETE FROM variants WHERE product_id = ${product.id}`,
      variants.length > 0 ? tx`INSERT INTO variants ${tx(variants)}` : Promise.resolve(),
    ]);
  }

  return {
    async listCategories() {
      const rows = await read(() => sql`SELECT slug, name, description, position FROM categories ORDER BY position, slug`);
      return (rows as Row[]).map((row): Category => ({ slug: text(row, 'slug'), name: text(row, 'name'), description: text(row, 'description'), position: int(row, 'position') }));
    },

    async upsertCategory(category) {
      const { slug, name, description, position } = category;
      refuseNul({ slug, name, description });
      await transaction(sql, (tx) => tx`
        INSERT INTO categories (slug, name, description, position) VALUES (${slug}, ${name}, ${description}, ${position})
        ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description, position = excluded.position`);
    },

    async createProduct(product) {
      try {
        await transaction(sql, async (tx) => {
          const existing = await tx`SELECT 1 AS found FROM products WHERE id = ${product.id}`;
          if (existing.length > 0) throw new DomainError('conflict', `A product with id '${product.id}' already exists.`, { id: product.id });
          await checkOwnership(tx, product);
          await writeProduct(tx, product, 'insert');
        });
      } catch (error) {
        throw conflictOnDuplicate(error, product);
      }
    },

    async updateProduct(product) {
      try {
        await transaction(sql, async (tx) => {
          // Locks the product, so two updates of it run one after the other.
          const existing = await tx`SELECT 1 AS found FROM products WHERE id = ${product.id} FOR UPDATE`;
          if (existing.length === 0) throw new DomainError('not-found', `There is no product with id '${product.id}'.`, { id: product.id });
          await checkOwnership(tx, product);
          await writeProduct(tx, product, 'update');
        });
      } catch (error) {
        throw conflictOnDuplicate(error, product);
      }
    },

    async deleteProduct(id) {
      // Variants go with it (ON DELETE CASCADE); stock rows stay, they are the warehouse's truth.
      return transaction(sql, async (tx) => (await tx`DELETE FROM products WHERE id = ${id}`).count > 0);
    },

    async getProduct(id) {
      return productWhere('id', id);
    },

    async getProductBySlug(slug) {
      return productWhere('slug', slug);
    },

    async listProducts(query: ProductQuery): Promise<Page<Product>> {
      const limit = pageSize(query.limit, productPageSizeMax);
      const conditions: string[] = [];
      const params: Array<string | number> = [];
      const bind = (value: string | number): string => {
        params.push(value);
        return `$${params.length}`;
      };
      if (!query.includeUnpublished) conditions.push('published');
      if (query.categorySlug !== undefined) conditions.push(`category_slug = ${bind(query.categorySlug)}`);
      const words = searchWords(query.text);
      // No stored text holds a NUL (refuseNul), and PostgreSQL text cannot carry one: a word
      // with a NUL matches nothing.
      if (words.some((word) => word.includes('\u0000'))) return { items: [], nextCursor: null };
      for (const word of words) conditions.push(`search_text LIKE ${bind(containsPattern(word))} ESCAPE '\\'`);
      if (query.cursor !== undefined) conditions.push(`slug > ${bind(cursorText(query.cursor, 'slug'))}`);
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      // Only the shape of the query varies (which filters, how many words), never a value in it.
      const statement = `SELECT ${productColumns} FROM products ${where} ORDER BY slug LIMIT ${bind(limit + 1)}`;
      return read(async () => {
        const rows = (await sql.unsafe(statement, params)) as Row[];
        const items = await withVariants(sql, rows.slice(0, limit));
        const last = items.at(-1);
        const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ slug: last.slug }) : null;
        return { items, nextCursor };
      });
    },

    async findSkus(skus) {
      const unique = [...new Set(skus)];
      const found = new Map<string, SkuInfo>();
      if (unique.length === 0) return found;
      return read(async () => {
        const rows = (await sql.unsafe(
          `SELECT ${productColumns} FROM products WHERE id IN (SELECT product_id FROM variants WHERE sku = ANY($1::TEXT[]))`,
          [unique],
        )) as Row[];
        const products = await withVariants(sql, rows);
        const wanted = new Set(unique);
        for (const product of products) {
          for (const variant of product.variants) if (wanted.has(variant.sku)) found.set(variant.sku, { product, variant });
        }
        return found;
      });
    },

    async countProducts() {
      const rows = await read(() => sql`SELECT COUNT(*) AS count FROM products`);
      return int((rows as Row[])[0] ?? {}, 'count');
    },
  };
}
