// Hand-written demo products with special stock rules: drops (tiny stock, held in the cart, one
// per customer) and made-to-order items (sold on backorder). They exercise the cart policy, so
// they are written out rather than generated.

export type FeaturedKind = 'drop' | 'made-to-order';

export interface FeaturedSpec {
  kind: FeaturedKind;
  categorySlug: string;
  title: string;
  /** SKU without the option suffix. */
  skuBase: string;
  optionKey: string;
  optionValues: readonly string[];
  priceUsdMinor: number;
  priceEurMinor: number;
  description: string;
  attributes: Readonly<Record<string, string>>;
}

export const featuredSpecs: readonly FeaturedSpec[] = [
  {
    kind: 'drop',
    categorySlug: 'footwear',
    title: 'Night Run Limited Trail Runner',
    skuBase: 'FTW-NIGHTRUN-LTD-TRAILRUN',
    optionKey: 'size',
    optionValues: ['41', '42', '43', '44'],
    priceUsdMinor: 17999,
    priceEurMinor: 16999,
    description:
      'A one-time run of our fastest trail runner in a glow-in-the-dark colourway. Reflective knit, a ' +
      'full-length rock plate and a numbered insole. When this run is gone, it is gone.',
    attributes: { material: 'reflective knit upper', weight: '290 g', drop: 'true', edition: 'Numbered, no restock' },
  },
  {
    kind: 'drop',
    categorySlug: 'jackets',
    title: 'Artist Collab Alpine Shell Jacket',
    skuBase: 'JKT-COLLAB-ALPINE-SHELL',
    optionKey: 'size',
    optionValues: ['S', 'M', 'L', 'XL'],
    priceUsdMinor: 39900,
    priceEurMinor: 37900,
    description:
      'Our three-layer alpine shell, printed with a mountain panorama painted for this collaboration. ' +
      'Every technical detail of the original, in a print that will not be made again.',
    attributes: { material: 'three-layer recycled nylon', weight: '420 g', drop: 'true', edition: 'Collaboration, single run' },
  },
  {
    kind: 'drop',
    categorySlug: 'backpacks',
    title: 'Tenth Anniversary Canvas Daypack',
    skuBase: 'BPK-ANNIV-CANVAS-DAYPACK',
    optionKey: 'color',
    optionValues: ['Heritage Red'],
    priceUsdMinor: 14999,
    priceEurMinor: 13999,
    description:
      'Ten years of carrying, celebrated in waxed canvas and vegetable-tanned leather. Brass hardware, ' +
      'a stitched anniversary label and a lifetime of patina ahead of it.',
    attributes: { material: 'waxed cotton canvas and leather', weight: '940 g', volume: '24 L', drop: 'true', edition: 'Anniversary edition' },
  },
  {
    kind: 'drop',
    categorySlug: 'kitchen',
    title: 'Aurora Enamel Mug Set',
    skuBase: 'KIT-AURORA-MUG-SET',
    optionKey: 'color',
    optionValues: ['Aurora'],
    priceUsdMinor: 4999,
    priceEurMinor: 4599,
    description:
      'Four hand-dipped enamel mugs, each glazed in a different shade of the northern lights. ' +
      'Made in one small batch by a family enamel works.',
    attributes: { material: 'enamel-coated steel', weight: '760 g', capacity: '4 × 350 ml', drop: 'true', edition: 'Small batch' },
  },
  {
    kind: 'drop',
    categorySlug: 'climbing',
    title: 'First Ascent Print Chalk Bag',
    skuBase: 'CLB-FIRSTASCENT-CHALK',
    optionKey: 'color',
    optionValues: ['Desert Print', 'Alpenglow Print'],
    priceUsdMinor: 3900,
    priceEurMinor: 3600,
    description:
      'A fleece-lined chalk bag printed with the topo of a famous first ascent. A stiff rim, a brush ' +
      'loop and a print run small enough to count by hand.',
    attributes: { material: 'waxed canvas with a fleece lining', weight: '95 g', drop: 'true', edition: 'Limited print run' },
  },
  {
    kind: 'made-to-order',
    categorySlug: 'camping',
    title: 'Made-to-Order Canvas Bell Tent',
    skuBase: 'CMP-MTO-CANVAS-BELL-TENT',
    optionKey: 'capacity',
    optionValues: ['4P'],
    priceUsdMinor: 89900,
    priceEurMinor: 84900,
    description:
      'A cotton canvas bell tent sewn to order in our own workshop. A sewn-in groundsheet, a steel ' +
      'centre pole and room to stand up in. Each one ships when it is finished.',
    attributes: { material: 'treated cotton canvas with a steel pole', weight: '24 kg', madeToOrder: 'true', leadTime: '4-6 weeks' },
  },
  {
    kind: 'made-to-order',
    categorySlug: 'kitchen',
    title: 'Hand-Forged Carbon Steel Pan',
    skuBase: 'KIT-MTO-CARBON-STEEL-PAN',
    optionKey: 'size',
    optionValues: ['28 cm'],
    priceUsdMinor: 18900,
    priceEurMinor: 17900,
    description:
      'Forged by hand from a single sheet of carbon steel, then seasoned over open flame. Every pan is ' +
      'made after you order it and will outlive the campfire it is cooked on.',
    attributes: { material: 'hand-forged carbon steel', weight: '1.6 kg', madeToOrder: 'true', leadTime: '3-4 weeks' },
  },
];
