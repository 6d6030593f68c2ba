/**
 * Readers for nvidia-smi's values (XML leaves and CSV fields): "81920 MiB", "67.03 W", "27 C", "1275 MHz", "45 %",
 * "N/A", "[Not Supported]", "[N/A]", "Unknown Error". Anything that is not a number is missing (null),
 * never zero.
 */
type Node = unknown;

/** Child element by path, or undefined; fast-xml-parser gives objects, strings or numbers. */
export function at(node: Node, ...path: string[]): Node {
  let cur: Node = node;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, Node>)[key];
  }
  return cur;
}

export function text(node: Node): string | null {
  if (typeof node === 'string') return node.trim();
  if (typeof node === 'number') return String(node);
  if (node && typeof node === 'object' && '#text' in node) return text((node as Record<string, Node>)['#text']);
  return null;
}

const UNIT_FACTORS: Record<string, number> = {
  '': 1,
  '%': 1,
  W: 1,
  C: 1,
  MHz: 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** "81920 MiB" → 81920 × 2^20 with unit 'bytes'; other units are kept as they are. */
export function quantity(node: Node): number | null {
  const raw = text(node);
  if (raw === null) return null;
  const match = /^(-?\d+(?:\.\d+)?)\s*(%|W|C|MHz|B|KiB|MiB|GiB)?$/.exec(raw);
  if (!match) return null;
  const factor = UNIT_FACTORS[match[2] ?? ''] ?? 1;
  return Number(match[1]) * factor;
}

export function integer(node: Node): number | null {
  const q = quantity(node);
  return q === null || !Number.isFinite(q) ? null : Math.round(q);
}

/** The first of several alternative paths that holds a number (element names changed across DTDs). */
export function firstQuantity(node: Node, paths: readonly (readonly string[])[]): number | null {
  for (const path of paths) {
    const q = quantity(at(node, ...path));
    if (q !== null) return q;
  }
  return null;
}

/** "Yes" → 1, "No" → 0 (nvidia-smi's flags, e.g. `<remapped_row_pending>`); anything else null. */
export function yesNo(node: Node): number | null {
  const raw = text(node);
  return raw === 'Yes' ? 1 : raw === 'No' ? 0 : null;
}

/** Always an array: fast-xml-parser gives a single child as an object, several as an array. */
export function list(node: Node): Node[] {
  if (node === undefined || node === null || node === '') return [];
  return Array.isArray(node) ? node : [node];
}
