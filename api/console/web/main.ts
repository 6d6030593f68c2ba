/**
 * The console: asks for a token (kept in sessionStorage; `#token=…` in the URL is taken once and
 * removed), then shows one of four views by the URL's hash. Each view calls the /v1 routes with the
 * token, so it shows what the token's scope may see. When a view has drawn, `body[data-ready]` names it
 * and `body[data-ready-ms]` says when (since navigation start).
 */
import { ApiCallError, forgetToken, storedToken, storeToken } from './api-client.ts';
import { budgetsView } from './budgets-view.ts';
import { costView } from './cost-view.ts';
import { el } from './dom.ts';
import { fleetView } from './fleet-view.ts';
import { schedulerView } from './scheduler-view.ts';
import './style.css';

const VIEWS: Record<string, { readonly title: string; readonly render: () => Promise<HTMLElement[]> }> = {
  fleet: { title: 'Fleet', render: fleetView },
  cost: { title: 'Cost', render: costView },
  budgets: { title: 'Budgets & alerts', render: budgetsView },
  scheduler: { title: 'Scheduler & recommendations', render: schedulerView },
};

const app = document.getElementById('app') as HTMLElement;

function tokenForm(message: string): void {
  const input = el('input', { type: 'password', name: 'token', placeholder: 'glt_…', autocomplete: 'off', size: '60' });
  const form = el('form', { id: 'token-form' }, el('p', {}, message), input, el('button', { type: 'submit' }, 'Open'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    storeToken(input.value.trim());
    void show();
  });
  app.replaceChildren(el('h1', {}, 'GPU Ledger'), form);
}

/** Marks the view drawn, with the milliseconds since navigation started (bench/console.ts reads them). */
function ready(name: string): void {
  document.body.dataset['readyMs'] = performance.now().toFixed(0);
  document.body.dataset['ready'] = name;
}

async function show(): Promise<void> {
  delete document.body.dataset['ready'];
  if (storedToken() === null) return tokenForm('An API token (gpu-ledger tokens create) opens the console.');
  const name = location.hash.slice(1) in VIEWS ? location.hash.slice(1) : 'fleet';
  const view = VIEWS[name] as (typeof VIEWS)[string];
  const signOut = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    forgetToken();
    void show();
  });
  const nav = el(
    'nav',
    {},
    ...Object.entries(VIEWS).map(([k, v]) =>
      el('a', { href: `#${k}`, ...(k === name ? { class: 'current' } : {}) }, v.title),
    ),
    signOut,
  );
  const main = el('main', { 'data-view': name }, el('p', {}, 'Loading…'));
  app.replaceChildren(el('header', {}, el('h1', {}, 'GPU Ledger'), nav), main);
  try {
    main.replaceChildren(el('h2', { class: 'title' }, view.title), ...(await view.render()));
    ready(name);
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 401) {
      forgetToken();
      return tokenForm('That token was not accepted; try another.');
    }
    const message =
      error instanceof ApiCallError && error.status === 403
        ? `Your token may not see this view (${error.message}).`
        : String(error);
    main.replaceChildren(el('p', { class: 'error' }, message));
    ready(name);
    if (!(error instanceof ApiCallError && error.status === 403)) console.error(error);
  }
}

const fromUrl = /^#token=(.+)$/.exec(location.hash);
if (fromUrl?.[1] !== undefined) {
  storeToken(decodeURIComponent(fromUrl[1]));
  history.replaceState(null, '', location.pathname);
}
window.addEventListener('hashchange', () => void show());
void show();
