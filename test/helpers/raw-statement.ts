import { sql, type SqlQuery } from '../../pipeline/store/sql.ts';

/**
 * A statement from trusted text that no value of ours went into: the SQL Grafana sends for a panel
 * (our dashboards' raw SQL after the plugin's expansion, dashboards/grafana-macros.ts). Tests only:
 * the product renders every value through the `sql` tag.
 */
export function rawStatement(text: string): SqlQuery {
  return sql(Object.assign([text], { raw: [text] }));
}
