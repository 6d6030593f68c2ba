import { describe, expect, it } from 'vitest';
import { parseXidLines } from '../../collectors/xid/parse-xid.ts';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { firingAt, inputs, rulesNamed } from '../../test/helpers/rule-kit.ts';
import type { XidRecord } from './rule-inputs.ts';
import { XID_CATALOG, xidInfo } from './xid-catalog.ts';

const NOW = Date.UTC(2026, 10, 25, 12);
/** Xid records of a real kernel log, as the agent reports them (GPU named by PCI bus id here). */
const xidsOf = (file: string): XidRecord[] =>
  parseXidLines(readFixture('xid', file), NOW).events.map((e) => ({
    cluster: 'c1',
    node: 'n1',
    gpuUuid: e.pciBusId ?? '',
    tsMs: e.observedAtMs,
    xid: e.xid,
    message: e.message,
  }));
const instantsOf = (xids: readonly XidRecord[], tailMs = 2 * 3_600_000) => {
  const times = [...new Set(xids.map((x) => x.tsMs))].sort((a, b) => a - b);
  return [...times, times[times.length - 1]! + tailMs];
};

describe('xid on real kernel logs', () => {
  it('one alert per GPU and code, severity and action from the catalog (DBE 48 → 63 row remap → 94 contained)', () => {
    const xids = xidsOf('gpud-dmesg-iso-xid-48-63-94-dbe-row-remap.log');
    const { firing, notifications } = firingAt(rulesNamed(['xid']), inputs({ xids }), instantsOf(xids));
    expect(
      firing.map((a) => [a.labels['xid'], a.severity, a.evidence['action'], new Date(a.activeAtMs).toISOString()]),
    ).toEqual([
      ['48', 'critical', 'RESET_GPU', '2024-11-15T12:02:03.470Z'],
      ['63', 'warning', 'RESET_GPU', '2024-11-15T12:02:03.498Z'],
      ['94', 'warning', 'RESTART_APP', '2024-11-15T12:02:03.506Z'],
    ]);
    expect(firing[0]!.labels).toMatchObject({ gpu: '0000:19:00', alertname: 'xid', severity: 'critical' });
    // the 9 Xid 94 lines of the log are one incident; all resolve an hour after their last line
    const resolved = notifications.filter((n) => n.state === 'resolved');
    expect(resolved).toHaveLength(3);
    expect(resolved.every((n) => n.resolvedAtMs === Date.parse('2024-11-15T12:02:03.638Z') + 2 * 3_600_000)).toBe(true);
  });

  it('Xid 119 (GSP timeout) repeating for 6 minutes on one GPU is one critical incident', () => {
    const xids = xidsOf('gpud-dmesg-ctime-xid-119-gsp-timeout.log');
    const times = [...new Set(xids.map((x) => x.tsMs))].sort((a, b) => a - b);
    const { firing, open } = firingAt(rulesNamed(['xid']), inputs({ xids }), times);
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({ severity: 'critical', labels: { xid: '119', gpu: '0000:9b:00' } });
    expect(open[0]!.evidence).toMatchObject({ occurrences: 5, name: 'GSP RPC Timeout', action: 'RESET_GPU' });
    expect(new Date(open[0]!.evidence['lastAtMs'] as number).toISOString()).toBe('2025-02-23T16:30:13.000Z');
  });

  it('Xid 45 "caused by previous Xid" is informational; a rules file can raise a code’s severity or ignore it', () => {
    const xids = xidsOf('issue-open-gpu-kernel-modules-1150-xid-45-caused-by-149-145.log');
    const { firing } = firingAt(rulesNamed(['xid']), inputs({ xids }), instantsOf(xids));
    expect(firing.map((a) => [a.labels['gpu'], a.severity])).toEqual([
      ['0000:dc:00', 'info'],
      ['0000:ed:00', 'info'],
      ['0000:ba:00', 'info'],
      ['0000:97:00', 'info'],
    ]);
    const raised = rulesNamed(['xid'], `rules: { xid: { params: { severityByCode: { "45": warning } } } }`);
    expect(firingAt(raised, inputs({ xids }), instantsOf(xids)).firing.every((a) => a.severity === 'warning')).toBe(
      true,
    );
    const ignored = rulesNamed(['xid'], 'rules: { xid: { params: { ignoreCodes: [45] } } }');
    expect(firingAt(ignored, inputs({ xids }), instantsOf(xids)).firing).toEqual([]);
  });

  it('the catalog grades the codes the issue names; unknown codes are warnings', () => {
    expect(
      [79, 48, 63, 64, 94, 95, 13, 31, 43, 45, 61, 62, 74, 92, 119, 120].map((x) => [x, xidInfo(x).severity]),
    ).toEqual([
      [79, 'critical'],
      [48, 'critical'],
      [63, 'warning'],
      [64, 'critical'],
      [94, 'warning'],
      [95, 'critical'],
      [13, 'warning'],
      [31, 'warning'],
      [43, 'warning'],
      [45, 'info'],
      [61, 'critical'],
      [62, 'critical'],
      [74, 'critical'],
      [92, 'warning'],
      [119, 'critical'],
      [120, 'critical'],
    ]);
    expect(xidInfo(79).action).toBe('RESTART_BM');
    expect(xidInfo(9999)).toMatchObject({ severity: 'warning', name: 'Xid 9999' });
    expect(Object.keys(XID_CATALOG).length).toBeGreaterThan(25);
  });
});
