import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { parseXidLines } from './parse-xid.ts';

const NOW = Date.UTC(2025, 10, 20, 8, 0, 0);
const parse = (name: string, offset?: number) =>
  parseXidLines(readFixture('xid', name), NOW, offset === undefined ? {} : { localUtcOffsetMinutes: offset });

describe('parseXidLines on real kernel logs', () => {
  it('dmesg --time-format=iso: Xid 48, 63 and eight 94s on 0000:19:00 with their own timestamps', () => {
    const { events, errors } = parse('gpud-dmesg-iso-xid-48-63-94-dbe-row-remap.log');
    expect(errors).toEqual([]);
    expect(events.map((e) => e.xid)).toEqual([48, 63, 94, 94, 94, 94, 94, 94, 94, 94, 94]);
    expect(new Set(events.map((e) => e.pciBusId))).toEqual(new Set(['0000:19:00']));
    expect(events[0]).toEqual({
      pciBusId: '0000:19:00',
      xid: 48,
      observedAtMs: Date.UTC(2024, 10, 15, 12, 2, 3, 470),
      message:
        "pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.",
    });
    expect(events[3]?.message).toBe('pid=1248209, name=python3.10, Ch 00000008');
  });

  it('dmesg --ctime: five Xid 119 (GSP timeout) on 0000:9b:00; the RPC table and rate-limit lines are not Xids', () => {
    const { events, errors } = parse('gpud-dmesg-ctime-xid-119-gsp-timeout.log');
    expect(errors).toEqual([]);
    expect(events.map((e) => [e.xid, e.pciBusId])).toEqual(Array(5).fill([119, '0000:9b:00']));
    expect(events[0]?.observedAtMs).toBe(Date.UTC(2025, 1, 23, 16, 24, 18));
    expect(events[4]?.observedAtMs).toBe(Date.UTC(2025, 1, 23, 16, 30, 13));
    expect(parse('gpud-dmesg-ctime-xid-119-gsp-timeout.log', 60).events[0]?.observedAtMs).toBe(
      Date.UTC(2025, 1, 23, 15, 24, 18),
    ); // host at UTC+1
  });

  it('journal excerpt without timestamps: Xid 45 on four GPUs at nowMs, "caused by previous Xid" kept in the message', () => {
    const { events } = parse('issue-open-gpu-kernel-modules-1150-xid-45-caused-by-149-145.log');
    expect(events.map((e) => e.pciBusId)).toEqual([
      '0000:dc:00',
      '0000:ed:00',
      '0000:ba:00',
      '0000:97:00',
      '0000:dc:00',
      '0000:ba:00',
      '0000:ed:00',
    ]);
    expect(events.every((e) => e.xid === 45 && e.observedAtMs === NOW)).toBe(true);
    expect(events[0]?.message).toBe('pid=1818990, name=python3, Ch 00000001 caused by previous Xid 149');
  });

  it('syslog stamps (no year), the bus-id form without PCI:, and a broken line that is an error entry only', () => {
    const text = [
      'Nov 19 23:59:58 gpu-7 kernel: [812.1] NVRM: Xid (PCI:0000:3b:00): 79, pid=2211, GPU has fallen off the bus.',
      'Dec 31 23:00:00 gpu-7 kernel: NVRM: Xid (0000:86:00): 13, Graphics SM Warp Exception',
      'Nov 20 07:00:00 gpu-7 kernel: NVRM: Xid (PCI:0000:3b:00): ??, garbled',
    ].join('\n');
    const { events, errors } = parseXidLines(text, NOW);
    expect(events).toEqual([
      {
        pciBusId: '0000:3b:00',
        xid: 79,
        observedAtMs: Date.UTC(2025, 10, 19, 23, 59, 58),
        message: 'pid=2211, GPU has fallen off the bus.',
      },
      {
        pciBusId: '0000:86:00',
        xid: 13,
        observedAtMs: Date.UTC(2024, 11, 31, 23, 0, 0),
        message: 'Graphics SM Warp Exception',
      },
    ]);
    expect(errors).toEqual([
      'line 3: unreadable Xid report: Nov 20 07:00:00 gpu-7 kernel: NVRM: Xid (PCI:0000:3b:00): ??, garbled',
    ]);
  });
});
