// Cart lines as HTML, shared by the drawer, the cart page and the checkout summary. Each line
// has a slot for the problem that names it (sold out, over the limit), next to the line.
import { escapeHtml, money } from './api.ts';
import { holdLeft, type Cart, type ExpiredNotice } from './cart.ts';

export function linesHtml(cart: Cart, editable: boolean): string {
  return cart.lines
    .map((line) => {
      const name = `${escapeHtml(line.title)} <span class="variant">${escapeHtml(line.variantTitle)}</span>`;
      const link = line.productSlug === null ? name : `<a href="/products/${escapeHtml(line.productSlug)}/">${name}</a>`;
      const quantity = editable
        ? `<label>Quantity <input type="number" min="0" max="100" inputmode="numeric" value="${line.quantity}" data-line-quantity="${escapeHtml(line.id)}" aria-label="Quantity of ${escapeHtml(line.title)}"></label>
           <button type="button" class="secondary" data-line-remove="${escapeHtml(line.id)}" aria-label="Remove ${escapeHtml(line.title)}">Remove</button>`
        : `<span>Quantity ${line.quantity}</span>`;
      const hold = line.heldUntil === null ? '' : `<p class="hold" data-held-until="${escapeHtml(line.heldUntil)}"></p>`;
      return `<li data-sku="${escapeHtml(line.sku)}">${link}<div>${quantity} <span class="line-total">${money(line.lineTotalMinor, cart.currency)}</span></div>${hold}<p class="error line-problem" role="alert" data-problem-for="${escapeHtml(line.sku)}"></p></li>`;
    })
    .join('');
}

export function totalsHtml(cart: Cart): string {
  const t = cart.totals;
  const tax = t.taxIncluded ? ' (tax included)' : '';
  return `Subtotal ${money(t.subtotalMinor, cart.currency)}${tax}`;
}

export function expiredHtml(notice: ExpiredNotice): string {
  const items = notice.titles.length === 0 ? '' : ` It held: ${notice.titles.map(escapeHtml).join(', ')}.`;
  return `Your previous cart expired because it was left unchanged for too long, and any items reserved for you were released.${items} Add them again to buy them. <button type="button" class="secondary" data-dismiss-expired>OK</button>`;
}

/** Keeps every hold countdown under `root` ticking; a hold that ended says so. */
export function tickHolds(root: ParentNode): void {
  const tick = () => {
    for (const element of root.querySelectorAll<HTMLElement>('[data-held-until]')) {
      const left = holdLeft(element.dataset['heldUntil'] ?? '');
      element.textContent = left === null ? 'Your hold on this item has ended; it may sell out. Check out soon or add it again.' : `Reserved for you for ${left} more.`;
    }
  };
  tick();
  setInterval(tick, 1000);
}
