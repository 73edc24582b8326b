// Search over the prebuilt index: every word typed must occur in the product's text.
import { escapeHtml } from './api.ts';

interface Entry { t: string; u: string; c: string; p: string; i: string; w: string }

const input = document.getElementById('q') as HTMLInputElement;
const form = document.getElementById('search-form') as HTMLFormElement;
const status = document.getElementById('search-status') as HTMLElement;
const results = document.getElementById('search-results') as HTMLElement;
const resultsMax = 48;
let index: Entry[] | undefined;

async function search(query: string): Promise<void> {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    status.textContent = '';
    results.innerHTML = '';
    return;
  }
  index ??= (await (await fetch('/search-index.json')).json()) as Entry[];
  const found = index.filter((entry) => words.every((word) => entry.w.includes(word)));
  status.textContent = `${found.length} ${found.length === 1 ? 'product' : 'products'} found for “${query}”${found.length > resultsMax ? `; showing the first ${resultsMax}` : ''}.`;
  results.innerHTML = found
    .slice(0, resultsMax)
    .map((entry) => `<li class="card"><a href="${escapeHtml(entry.u)}"><img src="${escapeHtml(entry.i)}" alt="" width="400" height="400" loading="lazy"><span class="name">${escapeHtml(entry.t)}</span><span class="price">${escapeHtml(entry.p)} · ${escapeHtml(entry.c)}</span></a></li>`)
    .join('');
}

const initial = new URLSearchParams(location.search).get('q') ?? '';
input.value = initial;
void search(initial);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  history.replaceState(null, '', `?q=${encodeURIComponent(input.value)}`);
  void search(input.value);
});
let typing: ReturnType<typeof setTimeout> | undefined;
input.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => void search(input.value), 200);
});
