import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from './all-dashboards.ts';
import { DATASOURCE } from './dashboard-spec.ts';
import { GENERATED_DIR, renderDashboards, staleDashboards } from './generate.ts';

interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  targets: { refId: string; rawSql: string; datasource: { type: string; uid: string } }[];
}

describe('dashboards as code', () => {
  it('dashboards/generated holds exactly what the sources build (run npm run dashboards)', () => {
    expect(staleDashboards()).toEqual([]);
  });

  it('each generated dashboard is laid out inside the grid and queries the provisioned datasource', () => {
    const provisioned = parse(
      readFileSync(
        join(import.meta.dirname, '../deploy/grafana/provisioning/datasources/gpu-ledger-clickhouse.yaml'),
        'utf8',
      ),
    ) as { datasources: { uid: string; type: string }[] };
    expect(provisioned.datasources[0]).toMatchObject(DATASOURCE);
    const uids = new Set<string>();
    for (const [file, text] of renderDashboards()) {
      const d = JSON.parse(text) as { uid: string; panels: Panel[]; templating: { list: { name: string }[] } };
      expect(file).toBe(`${d.uid}.json`);
      expect(uids.has(d.uid)).toBe(false);
      uids.add(d.uid);
      expect(d.templating.list.map((v) => v.name)).toContain('database');
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        expect(p.gridPos.h, p.title).toBeGreaterThan(0);
        expect(p.datasource, p.title).toEqual(DATASOURCE);
        expect(
          p.targets.map((t) => [t.refId, t.datasource]),
          p.title,
        ).toEqual([['A', DATASOURCE]]);
        expect(p.targets[0]?.rawSql, p.title).toMatch(/\$database\./);
      }
    }
  });

  it('panels do not overlap', () => {
    for (const spec of DASHBOARDS) {
      const text = renderDashboards().get(`${spec.uid}.json`) ?? '';
      const panels = (JSON.parse(text) as { panels: Panel[] }).panels.map((p) => p.gridPos);
      for (const [i, a] of panels.entries())
        for (const b of panels.slice(i + 1)) {
          const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          expect(apart, `${spec.uid}: ${JSON.stringify(a)} / ${JSON.stringify(b)}`).toBe(true);
        }
    }
  });

  it('names the generated directory it checks', () => {
    expect(GENERATED_DIR.endsWith(join('dashboards', 'generated'))).toBe(true);
  });
});
