import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { createModelServerCollector } from './model-server-collector.ts';
import { serveText, type TextReply } from '../../test/kits/serve-text.ts';

const T = Date.UTC(2026, 2, 20, 12, 0, 0);
const TRITON = readFixture('triton', 'issue-triton-server-pr3569-simple-models-float-values.prom');
const bump = (requests: number) =>
  TRITON.replace(
    'nv_inference_request_success{model="simple",version="1"} 20.000000',
    `nv_inference_request_success{model="simple",version="1"} ${requests}`,
  );

let server: Awaited<ReturnType<typeof serveText>> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('createModelServerCollector over real HTTP', () => {
  it('baseline, then deltas with windowMs = time since the previous successful scrape; a failed scrape loses nothing', async () => {
    const replies: TextReply[] = [{ body: TRITON }, { body: bump(26) }, { status: 503, body: '' }, { body: bump(30) }];
    server = await serveText(() => replies.shift() ?? { body: TRITON });
    let clock = T;
    const collector = createModelServerCollector(
      { kind: 'triton', url: server.url, timeoutMs: 5000, maxBytes: 1 << 20, podUid: 'uid-1' },
      () => clock,
    );
    const signal = new AbortController().signal;
    const simple = (r: Awaited<ReturnType<typeof collector.collect>>) =>
      r.modelServers.find((m) => m.model === 'simple');

    expect((await collector.collect(signal)).modelServers).toEqual([]);
    clock = T + 10_000;
    expect(simple(await collector.collect(signal))).toMatchObject({
      server: 'triton',
      podUid: 'uid-1',
      requestsDelta: 6,
      windowMs: 10_000,
      observedAtMs: T + 10_000,
    });
    clock = T + 20_000;
    await expect(collector.collect(signal)).rejects.toThrow(/HTTP 503/);
    clock = T + 30_000;
    expect(simple(await collector.collect(signal))).toMatchObject({
      requestsDelta: 4,
      windowMs: 20_000,
      observedAtMs: T + 30_000,
    });
    expect(collector.name).toBe('triton');
    await collector.close();
  });
});
