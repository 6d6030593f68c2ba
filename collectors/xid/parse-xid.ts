import type { XidEvent } from '../collector.ts';

export interface ParseXidOptions {
  /**
   * `dmesg --ctime` and syslog (`Nov 15 12:02:03`) stamps are host-local time without a zone; this
   * is the host's offset from UTC in minutes (east positive, e.g. 120 for UTC+2). Default 0 (UTC).
   */
  readonly localUtcOffsetMinutes?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const XID =
  /NVRM: Xid \((?:PCI:)?([0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\.[0-9a-fA-F])?)?[^)]*\): (\d+)(?:, ?(.*))?$/;
// 2024-11-15T12:02:03,470068+00:00 (dmesg --time-format=iso) or 2024-11-15T12:02:03.470068+00:00 (rsyslog)
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})\s/;
// [Sun Feb 23 16:24:18 2025] (dmesg --ctime)
const CTIME = /^\[\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\]/;
// Nov 15 12:02:03 host kernel: … (BSD syslog, no year)
const SYSLOG = /^(\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) /;

function localToUtcMs(
  year: number,
  monthName: string | undefined,
  parts: (string | undefined)[],
  offsetMinutes: number,
): number | null {
  const month = MONTHS.indexOf(monthName ?? '');
  if (month < 0) return null;
  const [day, h, m, s] = parts.map(Number);
  return Date.UTC(year, month, day, h, m, s) - offsetMinutes * 60_000;
}

/** The absolute time a kernel-log line carries, or null (journal excerpts, `[12345.678]` uptime stamps). */
function lineTimeMs(line: string, nowMs: number, offsetMinutes: number): number | null {
  const iso = ISO.exec(line);
  if (iso) {
    const ms = (iso[2] ?? '').padEnd(3, '0').slice(0, 3);
    const zone = iso[3] === 'Z' ? 'Z' : `${iso[3]?.slice(0, 3)}:${iso[3]?.slice(-2)}`;
    const t = Date.parse(`${iso[1]}.${ms}${zone}`);
    return Number.isNaN(t) ? null : t;
  }
  const ctime = CTIME.exec(line);
  if (ctime) return localToUtcMs(Number(ctime[6]), ctime[1], [ctime[2], ctime[3], ctime[4], ctime[5]], offsetMinutes);
  const syslog = SYSLOG.exec(line);
  if (!syslog) return null;
  // No year in the stamp: this year, unless that lies more than a day ahead (a December line read in January).
  const year = new Date(nowMs).getUTCFullYear();
  const t = localToUtcMs(year, syslog[1], [syslog[2], syslog[3], syslog[4], syslog[5]], offsetMinutes);
  return t !== null && t > nowMs + 86_400_000
    ? localToUtcMs(year - 1, syslog[1], [syslog[2], syslog[3], syslog[4], syslog[5]], offsetMinutes)
    : t;
}

/**
 * Finds NVIDIA Xid reports (`NVRM: Xid (PCI:0000:3b:00): 79, pid=…, GPU has fallen off the bus.`)
 * in kernel-log text: dmesg with ISO or ctime stamps, syslog, journal excerpts. `observedAtMs` is
 * the line's own absolute time when it has one, else `nowMs`; `message` is the text after the Xid
 * number (pid, process name, description). Other lines are ignored; a line that says `NVRM: Xid`
 * but cannot be read is an error entry and the other lines are kept. Pure.
 */
export function parseXidLines(
  text: string,
  nowMs: number,
  options: ParseXidOptions = {},
): { events: XidEvent[]; errors: string[] } {
  const events: XidEvent[] = [];
  const errors: string[] = [];
  const offset = options.localUtcOffsetMinutes ?? 0;
  text.split('\n').forEach((raw, i) => {
    if (!raw.includes('NVRM: Xid')) return;
    const line = raw.trim();
    const m = XID.exec(line);
    const xid = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isSafeInteger(xid))
      return void errors.push(`line ${i + 1}: unreadable Xid report: ${line.slice(0, 160)}`);
    events.push({
      pciBusId: m[1] ?? null,
      xid,
      observedAtMs: lineTimeMs(line, nowMs, offset) ?? nowMs,
      message: (m[3] ?? '').trim(),
    });
  });
  return { events, errors };
}
