// The cart page: change quantities, remove lines, see holds count down, learn why a cart ended.
import { ApiError } from './api.ts';
import { expiredNotice, loadCart, removeLine, setQuantity, watchCart, type Cart } from './cart.ts';
import { expiredHtml, linesHtml, tickHolds, totalsHtml } from './lines.ts';
import './header.ts';

const lines = document.getElementById('cart-lines') as HTMLElement;
const total = document.getElementById('cart-total') as HTMLElement;
const status = document.getElementById('cart-status') as HTMLElement;
const notice = document.getElementById('cart-notice') as HTMLElement;
const toCheckout = document.getElementById('to-checkout') as HTMLElement;

function render(cart: Cart | null): void {
  const expired = expiredNotice();
  notice.hidden = expired === null;
  notice.innerHTML = expired === null ? '' : expiredHtml(expired);
  const empty = cart === null || cart.lines.length === 0;
  status.textContent = empty ? 'Your cart is empty.' : `${cart.lines.length} ${cart.lines.length === 1 ? 'line' : 'lines'} in your cart.`;
  lines.innerHTML = empty ? '' : linesHtml(cart, true);
  total.textContent = empty ? '' : totalsHtml(cart);
  toCheckout.hidden = empty;
}

async function change(lineId: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const slot = lines.querySelector<HTMLElement>(`[data-line-quantity="${CSS.escape(lineId)}"]`)?.closest('li')?.querySelector<HTMLElement>('.line-problem');
    const text = error instanceof ApiError ? (error.code === 'sold-out' ? 'Not enough left for that quantity.' : error.problem.detail) : 'Something went wrong; try again.';
    if (slot) slot.textContent = text;
    else status.textContent = text;
  }
}

watchCart(render);
tickHolds(lines);
lines.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const lineId = input.dataset['lineQuantity'];
  if (lineId === undefined) return;
  const quantity = Number(input.value);
  if (!Number.isInteger(quantity) || quantity < 0) return;
  void change(lineId, () => (quantity === 0 ? removeLine(lineId) : setQuantity(lineId, quantity)));
});
lines.addEventListener('click', (event) => {
  const lineId = (event.target as HTMLElement).closest<HTMLElement>('[data-line-remove]')?.dataset['lineRemove'];
  if (lineId !== undefined) void change(lineId, () => removeLine(lineId));
});
loadCart().then(render, () => (status.textContent = 'Your cart could not be loaded; try again in a moment.'));
