// The product page's islands: the price of the chosen variant, its live availability (from the
// API, never from the HTML), and add-to-cart, which opens the drawer.
import { api, ApiError, money } from './api.ts';
import { addLine } from './cart.ts';
import { openDrawer } from './header.ts';

interface Availability {
  items: { sku: string; available: number; status: 'in_stock' | 'low_stock' | 'sold_out' | 'backorder' }[];
  unknown: string[];
}

const form = document.getElementById('add-to-cart') as HTMLFormElement | null;
const badge = document.getElementById('availability');
const price = document.getElementById('price');
const message = document.getElementById('add-message');
const addButton = document.getElementById('add-button') as HTMLButtonElement | null;
let levels = new Map<string, Availability['items'][number]>();

const selectedSku = () => (form === null ? undefined : (new FormData(form).get('sku') as string | null) ?? undefined);

function describe(level: Availability['items'][number] | undefined): string {
  if (level === undefined) return 'Not available';
  switch (level.status) {
    case 'sold_out':
      return 'Sold out';
    case 'low_stock':
      return `Only ${level.available} left`;
    case 'backorder':
      return 'Made to order: ships when made';
    default:
      return 'In stock';
  }
}

function showSelected(): void {
  const sku = selectedSku();
  if (sku === undefined || badge === null) return;
  const level = levels.get(sku);
  if (levels.size > 0) {
    badge.textContent = describe(level);
    badge.className = `availability ${level === undefined || level.status === 'sold_out' ? 'error' : 'ok'}`;
  }
  if (addButton !== null) addButton.disabled = levels.size > 0 && (level === undefined || level.status === 'sold_out');
  const radio = form?.querySelector<HTMLInputElement>('input[name="sku"]:checked');
  if (radio?.dataset['price'] !== undefined && price !== null && form?.dataset['currency'] !== undefined) price.textContent = money(Number(radio.dataset['price']), form.dataset['currency']);
}

async function refreshAvailability(): Promise<void> {
  if (form === null) return;
  const skus = [...form.querySelectorAll<HTMLInputElement>('input[name="sku"]')].map((input) => input.value);
  const query = skus.map((sku) => `sku=${encodeURIComponent(sku)}`).join('&');
  try {
    const answer = await api<Availability>(`/store/availability?${query}`);
    levels = new Map(answer.items.map((item) => [item.sku, item]));
  } catch {
    if (badge !== null) badge.textContent = 'Availability unknown right now';
    return;
  }
  showSelected();
}

form?.addEventListener('change', showSelected);
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const sku = selectedSku();
  const quantity = Number((form.elements.namedItem('quantity') as HTMLInputElement).value);
  if (sku === undefined || message === null || addButton === null) return;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
    message.className = 'error';
    message.textContent = 'Choose a quantity from 1 to 100.';
    return;
  }
  addButton.disabled = true;
  message.className = '';
  message.textContent = 'Adding…';
  try {
    const cart = await addLine(sku, quantity);
    const line = cart?.lines.find((candidate) => candidate.sku === sku);
    message.className = 'ok';
    message.textContent = line?.heldUntil ? 'Added. It is reserved for you for a few minutes.' : 'Added to your cart.';
    openDrawer();
  } catch (error) {
    message.className = 'error';
    message.textContent = error instanceof ApiError ? explain(error) : 'Something went wrong; try again.';
  } finally {
    addButton.disabled = false;
    void refreshAvailability();
  }
});

function explain(error: ApiError): string {
  if (error.code === 'sold-out') return 'Sorry, there are not enough left for that quantity.';
  if (error.code === 'over-limit') return `That is over the limit: ${error.problem.detail}`;
  return error.problem.detail;
}

void refreshAvailability();
