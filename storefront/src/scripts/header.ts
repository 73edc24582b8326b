// The cart badge and drawer on every page. A shopper without a cart costs no request.
import { cartId, dismissExpired, expiredNotice, itemCount, loadCart, watchCart, type Cart } from './cart.ts';
import { expiredHtml, linesHtml, tickHolds, totalsHtml } from './lines.ts';

const count = document.getElementById('cart-count');
const button = document.getElementById('cart-button');
const drawer = document.getElementById('cart-drawer') as HTMLDialogElement | null;
const drawerLines = document.getElementById('drawer-lines');
const drawerTotal = document.getElementById('drawer-total');
const drawerNotice = document.getElementById('drawer-notice');

function render(cart: Cart | null): void {
  const items = itemCount(cart);
  if (count !== null) {
    count.textContent = String(items);
    count.setAttribute('aria-label', `${items} ${items === 1 ? 'item' : 'items'}`);
  }
  if (drawerLines !== null) drawerLines.innerHTML = cart === null || cart.lines.length === 0 ? '<li>Your cart is empty.</li>' : linesHtml(cart, false);
  if (drawerTotal !== null) drawerTotal.textContent = cart === null || cart.lines.length === 0 ? '' : totalsHtml(cart);
  const notice = expiredNotice();
  if (drawerNotice !== null) {
    drawerNotice.hidden = notice === null;
    drawerNotice.innerHTML = notice === null ? '' : expiredHtml(notice);
  }
}

/** Opens the drawer (after add-to-cart, or from the header button). */
export function openDrawer(): void {
  if (drawer !== null && !drawer.open) drawer.showModal();
}

watchCart(render);
document.addEventListener('click', (event) => {
  const target = event.target as HTMLElement;
  if (target.closest('[data-dismiss-expired]') !== null) {
    dismissExpired();
    render(null);
    void loadCart().catch(() => undefined);
  }
});
button?.addEventListener('click', (event) => {
  // The cart page itself needs no drawer; elsewhere the drawer is quicker than a page load.
  if (location.pathname.startsWith('/cart') || drawer === null) return;
  event.preventDefault();
  openDrawer();
});
document.getElementById('drawer-close')?.addEventListener('click', () => drawer?.close());
if (drawerLines !== null) tickHolds(drawerLines);
if (cartId() !== null || expiredNotice() !== null) void loadCart().catch(() => undefined);
