/**
 * OpenCost's `filter` parameter (its v2 filter language), the subset the ledger can answer:
 * `field:"a","b"` (one of), `field!:"a"` (none of), terms joined by `+` (and); fields cluster, node,
 * namespace, pod, controller, tenant, team, model, gpuModel and `label[key]`. Values are double-quoted;
 * `\"` and `\\` escape. Pure: parses into conditions; the store renders their values (sql.ts).
 *
 *   namespace:"ml-train","ml-serve"+label[app]!:"jupyter"
 */
import { isLabelKey } from '../../pipeline/store/cost-ledger-sql.ts';
import { LEDGER_FILTER_FIELDS, type LedgerCondition } from '../../pipeline/store/ledger-filter.ts';

const FIELD = /^\s*([A-Za-z]+)(?:\[([^\]]*)\])?\s*(!?:)\s*/;
const MAX_VALUES = 100;

/** Throws an Error saying what is wrong and where. */
export const parseOpenCostFilter = (text: string): LedgerCondition[] => {
  const conditions: LedgerCondition[] = [];
  let rest = text;
  while (rest.trim() !== '') {
    const m = FIELD.exec(rest);
    if (!m?.[1] || !m[3]) throw new Error(`expected field:"value" at "${rest.slice(0, 30)}"`);
    const name = m[1];
    let field: LedgerCondition['field'];
    if (name === 'label') {
      if (m[2] === undefined || !isLabelKey(m[2])) throw new Error(`label[${m[2] ?? ''}] needs a Kubernetes label key`);
      field = `label:${m[2]}`;
    } else if (name in LEDGER_FILTER_FIELDS && m[2] === undefined) {
      field = name as keyof typeof LEDGER_FILTER_FIELDS;
    } else {
      throw new Error(
        `unknown filter field "${name}" (use ${Object.keys(LEDGER_FILTER_FIELDS).join(', ')}, label[key])`,
      );
    }
    rest = rest.slice(m[0].length);
    const values: string[] = [];
    for (;;) {
      const v = /^"((?:[^"\\]|\\["\\])*)"\s*/.exec(rest);
      if (!v) throw new Error(`${name}: expected a double-quoted value at "${rest.slice(0, 30)}"`);
      values.push((v[1] ?? '').replace(/\\(["\\])/g, '$1'));
      rest = rest.slice(v[0].length);
      if (!rest.startsWith(',')) break;
      rest = rest.slice(1).trimStart();
    }
    if (values.length > MAX_VALUES) throw new Error(`${name}: at most ${MAX_VALUES} values`);
    conditions.push({ field, values, negate: m[3] === '!:' });
    if (rest.trim() === '') break;
    if (!rest.startsWith('+')) throw new Error(`expected + between terms at "${rest.slice(0, 30)}"`);
    rest = rest.slice(1);
  }
  return conditions;
};
