// The building blocks of the demo catalog: what kinds of product each category sells, how their
// variants vary, and the words their names and descriptions are made of. Brand-free on purpose.

import type { Category } from '../core/catalog.ts';

export interface VariantAxis {
  /** The option name a variant carries, e.g. size, color, length. */
  key: string;
  values: readonly string[];
  /** How many values one product offers, both inclusive. */
  countRange: readonly [number, number];
  /** 'window' takes neighbouring values (sizes run S-M-L); 'subset' takes any (colours). */
  mode: 'window' | 'subset';
  /** Added to the price for each step along values: a longer rope costs more. */
  stepUsd?: number;
}

export interface ProductType {
  /** The generic name at the end of a title: 'Shell Jacket'. */
  noun: string;
  /** Short uppercase token for SKUs: 'SHELL'. */
  code: string;
  /** Whole US dollars, both inclusive; snapped to a price point later. */
  priceUsd: readonly [number, number];
  axis: VariantAxis;
  materials: readonly string[];
  weightGrams: readonly [number, number];
  /** Words that may sit between the series and the noun: 'Waterproof'. */
  modifiers: readonly string[];
  /** Whole sentences about the product, each true of any product of this type. */
  features: readonly string[];
  /** Extra attributes, one value picked per product. */
  attributes?: Readonly<Record<string, readonly string[]>>;
}

export interface CategorySpec {
  category: Category;
  /** Uppercase SKU prefix, e.g. JKT. */
  skuPrefix: string;
  /** First sentences; {title}, {noun} and {aNoun} ('an insulated jacket') are filled in. */
  openers: readonly string[];
  /** Last sentences: care, warranty, who it is for. */
  closers: readonly string[];
  types: readonly ProductType[];
}

/** Product-line names placed before the noun; evocative, not brands. */
export const seriesNames = [
  'Alpine', 'Ridgeline', 'Summit', 'Basecamp', 'Trailhead', 'Cascade', 'Timberline', 'Northwall',
  'Granite', 'Switchback', 'Meridian', 'Tundra', 'Harbor', 'Canyon', 'Fjord', 'Highland',
  'Boulder', 'Cirque', 'Talus', 'Headwind', 'Driftwood', 'Sierra', 'Larch', 'Aspen', 'Cedar',
  'Juniper', 'Kestrel', 'Saddle', 'Skyline', 'Moraine',
] as const;

export const colorNames = [
  'Slate', 'Moss', 'Ember', 'Glacier', 'Sand', 'Midnight', 'Rust', 'Pine', 'Fog', 'Ochre', 'Black',
  'Storm Blue', 'Clay', 'Sage',
] as const;

export const colorAxis: VariantAxis = { key: 'color', values: colorNames, countRange: [1, 3], mode: 'subset' };

export const apparelSizeAxis: VariantAxis = {
  key: 'size',
  values: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  countRange: [3, 4],
  mode: 'window',
};

export const shoeSizeAxis: VariantAxis = {
  key: 'size',
  values: ['39', '40', '41', '42', '43', '44', '45', '46'],
  countRange: [4, 4],
  mode: 'window',
};

/** What a product is made of and weighs; {material} and {weight}. No pronoun, so plurals read well. */
export const materialSentences = [
  'Made from {material}, weighing {weight}.',
  'Built from {material} and weighing just {weight}.',
  '{Material} throughout, and only {weight} on the scale.',
  'Materials: {material}. Weight: {weight}.',
] as const;
