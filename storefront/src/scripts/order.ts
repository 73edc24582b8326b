// The order confirmation: read with the order's token, which stays in the URL fragment (never
// sent to a server, never in a Referer) or in this browser's storage.
import { api, ApiError, escapeHtml, money } from './api.ts';
import './header.ts';

interface Order {
  id: string;
  number: number;
  status: string;
  email: string;
  currency: string;
  lines: { sku: string; title: string; quantity: number; lineTotalMinor: number }[];
  totals: { subtotalMinor: number; shippingMinor: number; taxMinor: number; totalMinor: number; taxIncluded: boolean };
  shippingOption: string;
  shippingAddress: Record<string, unknown>;
}

const status = document.getElementById('order-status') as HTMLElement;
const title = document.getElementById('order-title') as HTMLElement;
const fragment = new URLSearchParams(location.hash.slice(1));
const saved = JSON.parse(localStorage.getItem('peakcart.order.last') ?? 'null') as { id: string; token: string } | null;
const id = fragment.get('id') ?? saved?.id;
const token = fragment.get('token') ?? (saved?.id === id ? saved?.token : undefined);

async function show(): Promise<void> {
  if (id === undefined || token === undefined) {
    status.textContent = 'No order to show here. Your confirmation link has the order in it.';
    return;
  }
  try {
    const order = await api<Order>(`/store/orders/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
    title.textContent = `Thank you! Order #${order.number}`;
    document.title = `Order #${order.number} | Peak Outfitters`;
    status.textContent = `Order #${order.number} is ${order.status}. A confirmation goes to ${order.email}.`;
    (document.getElementById('order-lines') as HTMLElement).innerHTML = order.lines
      .map((line) => `<li>${escapeHtml(line.title)} × ${line.quantity} <span>${money(line.lineTotalMinor, order.currency)}</span></li>`)
      .join('');
    const t = order.totals;
    (document.getElementById('order-totals') as HTMLElement).textContent =
      `Subtotal ${money(t.subtotalMinor, order.currency)} · Shipping ${money(t.shippingMinor, order.currency)} · Tax ${money(t.taxMinor, order.currency)}${t.taxIncluded ? ' (included)' : ''} · Total ${money(t.totalMinor, order.currency)}`;
    const address = order.shippingAddress;
    (document.getElementById('order-shipping') as HTMLElement).textContent = `Ships ${order.shippingOption} to ${String(address['name'])}, ${String(address['line1'])}, ${String(address['city'])} ${String(address['postalCode'])}, ${String(address['country'])}.`;
    (document.getElementById('order-detail') as HTMLElement).hidden = false;
    title.focus();
  } catch (error) {
    status.textContent = error instanceof ApiError && error.problem.status === 404 ? 'This order was not found; check the link.' : 'The order could not be loaded; try again in a moment.';
  }
}

title.tabIndex = -1;
void show();
