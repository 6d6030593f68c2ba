/** The database's table partitions (system.parts), for retention: list them, drop one. */
import type { SqlExecutor } from './executor.ts';
import { ident, sql, str } from './sql.ts';

export interface TablePartition {
  readonly table: string;
  readonly partitionId: string;
}

/** The active partitions of the database's tables, as (table, partition id), sorted. */
export async function listPartitions(executor: SqlExecutor, database: string): Promise<TablePartition[]> {
  const rows = await executor.query<{ table: string; partition_id: string }>(sql`
    SELECT table, partition_id FROM system.parts
    WHERE database = ${str(database)} AND active
    GROUP BY table, partition_id ORDER BY table, partition_id`);
  return rows.map((r) => ({ table: r.table, partitionId: r.partition_id }));
}

/** Drops one partition with all its rows. */
export async function dropPartition(executor: SqlExecutor, database: string, part: TablePartition): Promise<void> {
  await executor.command(
    sql`ALTER TABLE ${ident(database)}.${ident(part.table)} DROP PARTITION ID ${str(part.partitionId)}`,
  );
}
