// Checkout. Each attempt has one Idempotency-Key: a double click, or a retry after a network
// failure or overload, sends the same body with the same key, so it can never order twice. A
// definite answer (an order, a declined card, a sold-out line) ends the attempt; changing the
// form starts a new one.
import { api, ApiError, money } from './api.ts';
import { cartId, expiredNotice, forgetCart, loadCart, type Cart } from './cart.ts';
import { expiredHtml, linesHtml, tickHolds, totalsHtml } from './lines.ts';
import './header.ts';

interface ShippingRate { option: string; label: string; prices: Record<string, number> }
interface PlacedOrder { id: string; token: string; number: number }
interface Attempt { cartId: string; body: string; key: string; atMs: number }

const form = document.getElementById('checkout-form') as HTMLFormElement;
const lines = document.getElementById('checkout-lines') as HTMLElement;
const total = document.getElementById('checkout-total') as HTMLElement;
const status = document.getElementById('checkout-status') as HTMLElement;
const notice = document.getElementById('checkout-notice') as HTMLElement;
const formError = document.getElementById('form-error') as HTMLElement;
const placeButton = document.getElementById('place-order') as HTMLButtonElement;
const shipping = JSON.parse(form.dataset['shipping'] ?? '{}') as Record<string, ShippingRate[]>;
const currency = form.dataset['currency'] ?? 'USD';
const attemptKey = 'peakcart.checkout.attempt';
/** How long after an undecided attempt a reload still resumes it. */
const attemptResumableMs = 15 * 60_000;
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
const addressFields = ['name', 'line1', 'line2', 'city', 'postalCode', 'country'];
let cart: Cart | null = null;
let submitting = false;
/** Problems by SKU, kept across re-renders of the lines so they stay next to their line. */
const lineProblems = new Map<string, string>();

function showLineProblems(): void {
  for (const [sku, text] of lineProblems) {
    const slot = lines.querySelector<HTMLElement>(`[data-problem-for="${CSS.escape(sku)}"]`);
    if (slot !== null) slot.textContent = text;
  }
}

function render(current: Cart | null): void {
  cart = current;
  const expired = expiredNotice();
  if (expired !== null && (current === null || current.lines.length === 0)) {
    notice.hidden = false;
    notice.innerHTML = expiredHtml(expired);
  }
  const empty = current === null || current.lines.length === 0;
  status.textContent = empty ? 'Your cart is empty, so there is nothing to check out.' : `${current.lines.length} ${current.lines.length === 1 ? 'line' : 'lines'}.`;
  lines.innerHTML = empty ? '' : linesHtml(current, false);
  total.textContent = empty ? '' : totalsHtml(current);
  placeButton.disabled = empty;
  showLineProblems();
}

function showRates(): void {
  const country = field('country')?.value ?? 'US';
  const rates = shipping[country] ?? shipping['*'] ?? [];
  for (const rate of rates) {
    const label = form.querySelector<HTMLElement>(`[data-rate="${CSS.escape(rate.option)}"]`);
    const price = rate.prices[currency];
    if (label !== null) label.textContent = `${rate.label}${price === undefined ? '' : ` – ${money(price, currency)}`}`;
  }
}

function setError(name: string, message: string): void {
  const slot = document.getElementById(`${name}-error`);
  if (slot !== null) slot.textContent = message;
  const input = field(name);
  if (input !== null && 'setAttribute' in input) input.setAttribute('aria-invalid', message === '' ? 'false' : 'true');
}

function clearErrors(): void {
  for (const slot of form.querySelectorAll<HTMLElement>('.error')) slot.textContent = '';
  for (const slot of lines.querySelectorAll<HTMLElement>('.line-problem')) slot.textContent = '';
  lineProblems.clear();
  for (const input of form.querySelectorAll('[aria-invalid]')) input.setAttribute('aria-invalid', 'false');
}

const postalPatterns: Record<string, RegExp> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  NL: /^\d{4} ?[A-Za-z]{2}$/,
};

/** The fields' own checks, before anything is sent; returns the first field in error. */
function validate(): string | undefined {
  const errors: [string, string][] = [];
  const value = (name: string) => (field(name)?.value ?? '').trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value('email'))) errors.push(['email', 'Enter an email address such as ada@example.com.']);
  if (value('name') === '') errors.push(['name', 'Enter the name of the person receiving the parcel.']);
  if (value('line1') === '') errors.push(['line1', 'Enter the street address.']);
  if (value('city') === '') errors.push(['city', 'Enter the city.']);
  const postal = value('postalCode');
  const pattern = postalPatterns[value('country')];
  if (postal === '') errors.push(['postalCode', 'Enter the postal code.']);
  else if (pattern !== undefined && !pattern.test(postal)) errors.push(['postalCode', `This is not a postal code of the chosen country.`]);
  for (const [name, message] of errors) setError(name, message);
  return errors[0]?.[0];
}

function body(): string {
  const value = (name: string) => (field(name)?.value ?? '').trim();
  const address: Record<string, string | null> = {};
  for (const name of addressFields) address[name] = value(name) === '' ? null : value(name);
  const data = new FormData(form);
  return JSON.stringify({
    email: value('email'),
    shippingAddress: { ...address, country: value('country') },
    shippingOption: String(data.get('shippingOption') ?? 'standard'),
    payment: { token: String(data.get('token') ?? '') },
  });
}

/** The key of this attempt: the stored one if the same cart sends the same body again. */
function attemptFor(currentCartId: string, requestBody: string): Attempt {
  const stored = JSON.parse(sessionStorage.getItem(attemptKey) ?? 'null') as Attempt | null;
  if (stored !== null && stored.cartId === currentCartId && stored.body === requestBody) return stored;
  const attempt = { cartId: currentCartId, body: requestBody, key: crypto.randomUUID(), atMs: Date.now() };
  sessionStorage.setItem(attemptKey, JSON.stringify(attempt));
  return attempt;
}

function explain(error: ApiError): void {
  const problem = error.problem;
  const atLine = (sku: unknown, text: string) => {
    if (typeof sku === 'string') lineProblems.set(sku, text);
    showLineProblems();
  };
  switch (error.code) {
    case 'payment-declined':
      setError('payment', 'Your card was declined. No order was placed and nothing was charged; your cart is unchanged. Try another card.');
      document.getElementById('payment-error')?.focus();
      return;
    case 'sold-out': {
      const shortages = Array.isArray(problem['shortages']) ? (problem['shortages'] as { sku: string; requested: number; available: number }[]) : [];
      for (const shortage of shortages) {
        const text = shortage.available <= 0 ? 'Sold out: someone else bought the last one. Remove it to check out the rest.' : `Only ${shortage.available} left (you have ${shortage.requested}). Lower the quantity in your cart.`;
        atLine(shortage.sku, text);
      }
      formError.textContent = 'Some items are no longer available; see the message next to each. No order was placed.';
      return;
    }
    case 'over-limit': {
      const text = problem['limit'] === 'per-customer' ? `Limited to ${String(problem['max'])} per customer; you cannot buy more with this email.` : problem.detail;
      atLine(problem['sku'], text);
      formError.textContent = `${text} No order was placed.`;
      return;
    }
    case 'validation': {
      const issues = Array.isArray(problem['errors']) ? (problem['errors'] as { path: string; message: string }[]) : [];
      for (const issue of issues) setError(issue.path.split('.').pop() ?? 'form', `Check this field: ${issue.message}.`);
      formError.textContent = 'Some fields need a change.';
      return;
    }
    case 'shipping-unavailable':
      setError('shippingOption', 'This shipping option does not ship to the chosen country.');
      return;
    case 'cart-expired':
      void loadCart();
      formError.textContent = 'Your cart expired before checkout, and its reserved items were released. Add them again to buy them.';
      return;
    case 'cart-completed':
      forgetCart();
      formError.textContent = 'This cart was already checked out; look for the confirmation of that order.';
      return;
    case 'cart-empty':
      formError.textContent = 'Your cart is empty.';
      return;
    default:
      formError.textContent = error.retryable ? `${problem.detail} Press “Place order” again to retry; you will not be charged twice.` : problem.detail;
  }
}

function showOrder(order: PlacedOrder): void {
  sessionStorage.removeItem(attemptKey);
  localStorage.setItem('peakcart.order.last', JSON.stringify({ id: order.id, token: order.token }));
  forgetCart();
  location.assign(`/order/#id=${encodeURIComponent(order.id)}&token=${encodeURIComponent(order.token)}`);
}

/** A reload after an attempt whose answer was lost: if the cart became an order, the same
 *  request with the same key answers with that order instead of a puzzling empty cart. */
async function resumeAnsweredAttempt(): Promise<boolean> {
  const stored = JSON.parse(sessionStorage.getItem(attemptKey) ?? 'null') as Attempt | null;
  if (stored === null || Date.now() - stored.atMs > attemptResumableMs) return false;
  try {
    const current = await api<Cart>(`/store/carts/${encodeURIComponent(stored.cartId)}`);
    if (current.status !== 'completed') return false;
    status.textContent = 'Your order went through; fetching its confirmation…';
    showOrder(await api<PlacedOrder>(`/store/carts/${encodeURIComponent(stored.cartId)}/checkout`, { method: 'POST', body: stored.body, headers: { 'idempotency-key': stored.key } }));
    return true;
  } catch {
    return false;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (submitting) return;
  clearErrors();
  const firstInvalid = validate();
  if (firstInvalid !== undefined) {
    field(firstInvalid)?.focus();
    formError.textContent = 'Some fields need a change.';
    return;
  }
  const id = cartId();
  if (id === null || cart === null || cart.lines.length === 0) {
    formError.textContent = 'Your cart is empty.';
    return;
  }
  const requestBody = body();
  const attempt = attemptFor(id, requestBody);
  submitting = true;
  placeButton.disabled = true;
  placeButton.textContent = 'Placing order…';
  try {
    const order = await api<PlacedOrder>(`/store/carts/${encodeURIComponent(id)}/checkout`, {
      method: 'POST',
      body: requestBody,
      headers: { 'idempotency-key': attempt.key },
    });
    showOrder(order);
    return;
  } catch (error) {
    const problem = error instanceof ApiError ? error : new ApiError({ type: 'unknown', title: 'Error', status: 0, detail: 'Something went wrong.' });
    // A definite answer ends the attempt; only an undecided one keeps its key for the retry.
    if (!problem.retryable) sessionStorage.removeItem(attemptKey);
    explain(problem);
    if (formError.textContent !== '') formError.focus();
    // After an undecided answer the cart may already be an order: the retry (same key) will
    // answer with it, so the page keeps the cart as it was shown.
    if (!problem.retryable) void loadCart().catch(() => undefined);
  } finally {
    submitting = false;
    placeButton.disabled = cart === null || cart.lines.length === 0;
    placeButton.textContent = 'Place order';
  }
});

field('country')?.addEventListener('change', showRates);
formError.tabIndex = -1;
(document.getElementById('payment-error') as HTMLElement).tabIndex = -1;
showRates();
tickHolds(lines);
void resumeAnsweredAttempt().then((resumed) => {
  if (!resumed) loadCart().then(render, () => (status.textContent = 'Your cart could not be loaded; try again in a moment.'));
});
window.addEventListener('peakcart:cart', (event) => render((event as CustomEvent<Cart | null>).detail));
