// Placeholder product images for the demo shop: a self-contained SVG per product (colours from a
// hash of the slug, a category pictogram, the title), so the storefront looks finished without
// shipping photos or fetching anything from another host.

import type { Product } from '../core/catalog.ts';
import { hash64 } from './prng.ts';

const imageSizePx = 800;
const titleLineCharsMax = 24;
const titleLinesMax = 3;

/** Pictograms drawn with white strokes in a 340 x 300 box centred on the origin. */
const pictograms: Record<string, string> = {
  jackets:
    '<path d="M-55 -120 L-130 -90 L-160 60 L-120 72 L-98 -10 L-98 130 L98 130 L98 -10 L120 72 L160 60 L130 -90 L55 -120 Q0 -70 -55 -120 Z"/>' +
    '<path d="M0 -92 V130 M-60 40 H-30 M30 40 H60"/>',
  footwear:
    '<path d="M-160 60 V-10 Q-160 -40 -128 -40 H-78 L-66 -100 H22 Q30 -40 92 -22 L140 -4 Q168 8 162 60 Z"/>' +
    '<path d="M-170 86 H172 M-44 -70 L-2 -60 M-36 -44 L8 -34"/>',
  backpacks:
    '<rect x="-100" y="-110" width="200" height="250" rx="52"/>' +
    '<path d="M-32 -110 Q0 -156 32 -110 M-100 -36 Q0 8 100 -36"/><rect x="-62" y="30" width="124" height="78" rx="20"/>',
  camping:
    '<path d="M-160 120 L0 -130 L160 120 Z M-46 120 L0 22 L46 120 M-196 120 H196"/>' +
    '<circle cx="128" cy="-112" r="22" fill="#fff" stroke="none"/>',
  climbing:
    '<rect x="-70" y="-140" width="140" height="280" rx="70" transform="rotate(16)"/>' +
    '<path d="M72 -62 L40 58"/><rect x="36" y="-8" width="34" height="46" rx="8" transform="rotate(16)"/>',
  accessories:
    '<circle cx="-82" cy="0" r="62"/><circle cx="82" cy="0" r="62"/>' +
    '<path d="M-20 -4 Q0 -26 20 -4 M-144 -12 L-176 -48 M144 -12 L176 -48"/>',
  kitchen:
    '<rect x="-110" y="-70" width="170" height="190" rx="22"/><path d="M60 -30 Q134 -30 134 25 Q134 80 60 80"/>' +
    '<path d="M-70 -100 Q-50 -130 -70 -160 M-25 -100 Q-5 -130 -25 -160 M20 -100 Q40 -130 20 -160"/>',
  apparel:
    '<path d="M-50 -120 L-150 -70 L-115 0 L-85 -16 V130 H85 V-16 L115 0 L150 -70 L50 -120 Q0 -78 -50 -120 Z"/>',
};

const fallbackPictogram = '<path d="M-170 120 L-60 -60 L-10 10 L60 -120 L170 120 Z M36 -80 L60 -120 L84 -80"/>';

export function productImageSvg(product: Pick<Product, 'slug' | 'title' | 'categorySlug'>): string {
  const [hashA, hashB] = hash64(product.slug);
  const hue = hashA % 360;
  const hueEnd = (hue + 25 + (hashB % 70)) % 360;
  const top = hslToHex(hue, 38 + (hashB % 14), 44);
  const bottom = hslToHex(hueEnd, 45, 19);
  const gradientId = `bg-${hashA.toString(16).padStart(8, '0')}`;
  const title = escapeXml(product.title);
  const pictogram = pictograms[product.categorySlug] ?? fallbackPictogram;

  // The ridge line varies per product, so neighbouring tiles in a grid do not look stamped.
  const peakA = 330 + (hashB % 90);
  const peakB = 300 + ((hashB >>> 8) % 110);
  const sunX = 120 + ((hashA >>> 12) % 560);

  const lines = wrapWords(product.title, titleLineCharsMax, titleLinesMax);
  const fontSizePx = lines.length > 2 ? 38 : 44;
  const lineHeightPx = Math.round(fontSizePx * 1.25);
  const firstBaseline = 600 - ((lines.length - 1) * lineHeightPx) / 2;
  const titleText = lines
    .map((line, index) => `<tspan x="400" y="${firstBaseline + index * lineHeightPx}">${escapeXml(line)}</tspan>`)
    .join('');
  const category = escapeXml(product.categorySlug.replace(/-/g, ' ').toUpperCase());

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${imageSizePx}" height="${imageSizePx}" viewBox="0 0 800 800" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<defs><linearGradient id="${gradientId}" x1="0" y1="0" x2="0.4" y2="1">` +
    `<stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>` +
    `<rect width="800" height="800" fill="url(#${gradientId})"/>` +
    `<circle cx="${sunX}" cy="150" r="70" fill="#fff" opacity="0.08"/>` +
    `<path d="M0 560 L170 ${peakA} L290 470 L470 ${peakB} L620 450 L800 520 V800 H0 Z" fill="#000" opacity="0.18"/>` +
    `<g transform="translate(400 300)" fill="none" stroke="#fff" stroke-width="14" stroke-linecap="round" stroke-linejoin="round" opacity="0.92">${pictogram}</g>` +
    `<text text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" font-size="${fontSizePx}" font-weight="600" fill="#fff">${titleText}</text>` +
    `<text x="400" y="740" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" font-size="22" letter-spacing="6" fill="#fff" opacity="0.7">${category}</text>` +
    '</svg>'
  );
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Word wrap into balanced lines (no long line over a stub); an ellipsis if it cannot fit. */
function wrapWords(text: string, lineCharsMax: number, linesMax: number): string[] {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const greedy = wrapGreedy(words, lineCharsMax);
  if (greedy.length > linesMax) {
    const kept = greedy.slice(0, linesMax);
    kept[linesMax - 1] = `${kept[linesMax - 1] ?? ''}…`;
    return kept;
  }
  // The narrowest width that still needs no more lines than the greedy wrap did.
  for (let width = Math.ceil(text.length / greedy.length); width < lineCharsMax; width += 1) {
    const balanced = wrapGreedy(words, width);
    if (balanced.length === greedy.length) return balanced;
  }
  return greedy;
}

function wrapGreedy(words: readonly string[], lineCharsMax: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (candidate.length <= lineCharsMax || current === '') current = candidate;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

/** CSS hsl() to #rrggbb, so every SVG renderer reads the colour the same way. */
function hslToHex(hue: number, saturationPercent: number, lightnessPercent: number): string {
  const lightness = lightnessPercent / 100;
  const amplitude = (saturationPercent / 100) * Math.min(lightness, 1 - lightness);
  const channel = (offset: number): string => {
    const k = (offset + hue / 30) % 12;
    const value = lightness - amplitude * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
