import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, RESERVATIONS, reservePort } from './private-stack.ts';

describe('freePort reservations (one run, many test processes)', () => {
  it('never hands out one port twice, and respects another live process; a dead one’s reservation is reclaimed', async () => {
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    expect(new Set(ports).size).toBe(40);
    for (const p of ports) expect(reservePort(p)).toBe(false); // ours already

    mkdirSync(RESERVATIONS, { recursive: true });
    const [held, stale] = [31_001, 31_002];
    writeFileSync(join(RESERVATIONS, `${held}.${process.ppid}`), ''); // the parent: alive
    expect(reservePort(held)).toBe(false);
    const dead = join(RESERVATIONS, `${stale}.${2 ** 22 + 7}`); // above Linux's pid_max: never alive
    writeFileSync(dead, '');
    expect(reservePort(stale)).toBe(true);
    expect(existsSync(dead)).toBe(false);
  });
});
