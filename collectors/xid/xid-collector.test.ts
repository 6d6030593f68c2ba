import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { createXidCollector } from './xid-collector.ts';

const NOW = Date.UTC(2025, 10, 20, 8, 0, 0);
const dir = mkdtempSync(join(tmpdir(), 'xid-collector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ISO_LOG = readFixture('xid', 'gpud-dmesg-iso-xid-48-63-94-dbe-row-remap.log');
const JOURNAL = readFixture('xid', 'issue-open-gpu-kernel-modules-1150-xid-45-caused-by-149-145.log');
const signal = new AbortController().signal;

describe('createXidCollector follows a kernel log by byte offset', () => {
  it('reads what was appended since the last collect; a partial last line waits', async () => {
    const path = join(dir, 'kern.log');
    writeFileSync(path, ISO_LOG);
    const c = createXidCollector({ path, startAt: 'start' }, () => NOW);
    expect((await c.collect(signal)).xidEvents.map((e) => e.xid)).toEqual([48, 63, 94, 94, 94, 94, 94, 94, 94, 94, 94]);
    expect((await c.collect(signal)).xidEvents).toEqual([]);
    const [first, second] = JOURNAL.split('\n');
    appendFileSync(path, `${first}\n${second?.slice(0, 30)}`);
    expect((await c.collect(signal)).xidEvents.map((e) => [e.xid, e.pciBusId])).toEqual([[45, '0000:dc:00']]);
    appendFileSync(path, `${second?.slice(30)}\n`);
    expect((await c.collect(signal)).xidEvents.map((e) => [e.xid, e.pciBusId])).toEqual([[45, '0000:ed:00']]);
  });

  it("startAt 'end' (default) skips what was logged before the agent started", async () => {
    const path = join(dir, 'kern-end.log');
    writeFileSync(path, ISO_LOG);
    const c = createXidCollector({ path }, () => NOW);
    expect((await c.collect(signal)).xidEvents).toEqual([]);
    appendFileSync(path, `${JOURNAL.split('\n')[3]}\n`);
    expect((await c.collect(signal)).xidEvents.map((e) => e.pciBusId)).toEqual(['0000:97:00']);
  });

  it('truncation and rotation start over from the beginning of the file', async () => {
    const path = join(dir, 'kern-rot.log');
    writeFileSync(path, ISO_LOG);
    const c = createXidCollector({ path, startAt: 'start' }, () => NOW);
    expect((await c.collect(signal)).xidEvents).toHaveLength(11);
    truncateSync(path, 0);
    appendFileSync(path, `${JOURNAL.split('\n')[0]}\n`);
    expect((await c.collect(signal)).xidEvents.map((e) => e.xid)).toEqual([45]);
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${ISO_LOG}${ISO_LOG}`); // new inode, larger than the old offset
    expect((await c.collect(signal)).xidEvents).toHaveLength(22);
  });

  it('a missing file is an error entry, and reading resumes when it appears', async () => {
    const path = join(dir, 'not-yet.log');
    const c = createXidCollector({ path, startAt: 'start' }, () => NOW);
    const r = await c.collect(signal);
    expect(r.errors).toEqual([expect.stringMatching(new RegExp(`^${path}: ENOENT`))]);
    writeFileSync(path, `${JOURNAL}\n`);
    expect((await c.collect(signal)).xidEvents).toHaveLength(7);
  });

  it('bounded reads: maxBytesPerCollect spreads a large backlog over several collects', async () => {
    const path = join(dir, 'kern-big.log');
    writeFileSync(path, ISO_LOG);
    const c = createXidCollector({ path, startAt: 'start', maxBytesPerCollect: 1024 }, () => NOW);
    let total = 0;
    for (let i = 0; i < 10; i++) total += (await c.collect(signal)).xidEvents.length;
    expect(total).toBe(11);
  });
});
