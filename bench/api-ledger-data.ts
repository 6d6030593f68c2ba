/**
 * Synthetic cost ledger for bench/api.ts, generated inside ClickHouse (INSERT … SELECT from
 * system.numbers: ~750k rows in seconds). Fleet: 125 nodes × 8 A100 = 1,000 GPUs; every hour each
 * node has 7 workload rows (one GPU each; a pod lives 24–30 h, then a new uid) and one idle row
 * (one GPU); 300 namespaces over 100 tenants and 40 teams; usage 0–75 %.
 */
import type { SqlExecutor } from '../pipeline/store/executor.ts';
import { ident, sql, uint } from '../pipeline/store/sql.ts';

export const NODES = 125;
export const GPUS_PER_NODE = 8;
const HOUR_MS = 3_600_000;

/** Writes `hours` hourly windows ending at `toMs` as computation `computedAtMs`; returns the ledger rows written. */
export async function generateLedger(
  executor: SqlExecutor,
  database: string,
  toMs: number,
  hours: number,
  computedAtMs: number,
): Promise<number> {
  const db = ident(database);
  const fromMs = toMs - hours * HOUR_MS;
  const rows = hours * NODES * GPUS_PER_NODE;
  await executor.command(sql`
    INSERT INTO ${db}.cost_ledger
    SELECT toDateTime(intDiv(ws, 1000)), ws, ws + ${uint(HOUR_MS)}, 'bench', concat('node-', toString(n)),
      'NVIDIA A100-SXM4-80GB', 'on-demand', if(slot = 7, 'idle', 'workload'),
      if(slot = 7, '__idle__', concat('ns-', toString(ns))),
      if(slot = 7, '__idle__', concat('pod-', toString(n), '-', toString(slot), '-', toString(gen))),
      if(slot = 7, '__idle__', concat('uid-', toString(n), '-', toString(slot), '-', toString(gen))),
      if(slot = 7, '__idle__', concat('tenant-', toString(ns % 100))),
      if(slot = 7, '__idle__', concat('team-', toString(ns % 40))),
      if(slot = 7, '__idle__', concat('job-', toString(n), '-', toString(slot))),
      if(slot = 7, '', concat('model-', toString(slot % 5))),
      if(slot = 7, emptyArrayString(), ['app', 'team']),
      if(slot = 7, emptyArrayString(), [concat('app-', toString(slot)), concat('team-', toString(ns % 40))]),
      3600.0, if(slot = 7, 0.0, 3600.0 * (slot % 4) / 4.0), 2.5, 2.5,
      if(slot = 7, 0.0, 2.5 * (1 - (slot % 4) / 4.0)), ${uint(computedAtMs)}
    FROM (
      SELECT number AS i, intDiv(i, ${uint(NODES * GPUS_PER_NODE)}) AS h, intDiv(i % ${uint(NODES * GPUS_PER_NODE)}, ${uint(GPUS_PER_NODE)}) AS n,
             i % ${uint(GPUS_PER_NODE)} AS slot, toUInt64(${uint(fromMs)} + h * ${uint(HOUR_MS)}) AS ws,
             (n * 7 + slot) % 300 AS ns, intDiv(h + n, 24 + slot) AS gen
      FROM system.numbers LIMIT ${uint(rows)})`);
  await executor.command(sql`
    INSERT INTO ${db}.cost_ledger_windows
    SELECT toDateTime(intDiv(ws, 1000)), ws, ws + ${uint(HOUR_MS)}, 'bench', ${uint(NODES * GPUS_PER_NODE)},
           ${uint(NODES * GPUS_PER_NODE)} * 2.5, emptyArrayString(), ${uint(computedAtMs)}
    FROM (SELECT toUInt64(${uint(fromMs)} + number * ${uint(HOUR_MS)}) AS ws FROM system.numbers LIMIT ${uint(hours)})`);
  return rows;
}
