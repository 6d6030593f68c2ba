/** Small DOM helpers: elements, a stats row, a table. */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** Figures with a `data-stat` name each (the browser tests read them by name). */
export const stats = (items: readonly (readonly [name: string, label: string, value: string])[]): HTMLElement =>
  el(
    'dl',
    { class: 'stats' },
    ...items.map(([name, label, value]) => el('div', {}, el('dt', {}, label), el('dd', { 'data-stat': name }, value))),
  );

export function table(name: string, head: readonly string[], rows: readonly (readonly string[])[]): HTMLElement {
  return el(
    'table',
    { 'data-table': name },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

export const section = (title: string, ...children: Node[]): HTMLElement =>
  el('section', {}, el('h2', {}, title), ...children);
