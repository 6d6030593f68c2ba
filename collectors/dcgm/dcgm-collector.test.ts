import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { serveText } from '../../test/kits/serve-text.ts';
import { createDcgmCollector } from './dcgm-collector.ts';

const T = Date.UTC(2026, 4, 1, 10, 0, 0);
const LKE = readFixture('dcgm', 'lke-rtx4000ada-580.95.05-k8s-pod-labels.prom');
const UUID = 'GPU-a8394b51-c086-568a-9f1a-c1e1c934c44c';
const withXid = (xid: number) => LKE.replace(/(DCGM_FI_DEV_XID_ERRORS\{[^}]*\}) 0/, `$1 ${xid}`);

let server: Awaited<ReturnType<typeof serveText>> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('createDcgmCollector over real HTTP', () => {
  it('scrapes, parses and keeps the pod bindings; an Xid is reported once, when it changes', async () => {
    const bodies = [withXid(0), withXid(79), withXid(79), withXid(48)];
    server = await serveText(() => ({ body: bodies.shift() ?? LKE }));
    const collector = createDcgmCollector({ url: server.url, timeoutMs: 5000, maxBytes: 1 << 20 }, () => T);
    const signal = new AbortController().signal;
    const xids: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await collector.collect(signal);
      expect(r.errors).toEqual([]);
      expect(r.samples.map((s) => [s.gpuUuid, s.observedAtMs, s.powerWatts])).toEqual([[UUID, T, 40.979]]);
      xids.push(r.samples[0]?.xidErrors);
    }
    expect(xids).toEqual([undefined, [79], undefined, [48]]);
    expect(collector.latestPodBindings()).toEqual([
      expect.objectContaining({ gpuUuid: UUID, pod: 'cuda-75454ffb9f-8ljq7', namespace: 'default', container: 'cuda' }),
    ]);
    await collector.close();
  });

  it('an unreachable exporter rejects with the URL (the agent turns it into an error entry)', async () => {
    server = await serveText(() => ({ status: 500, body: 'dcgm down' }));
    const collector = createDcgmCollector({ url: server.url, timeoutMs: 5000, maxBytes: 1 << 20 }, () => T);
    await expect(collector.collect(new AbortController().signal)).rejects.toThrow(`GET ${server.url}: HTTP 500`);
  });

  it('a page with no DCGM series is an error entry, not silence', async () => {
    server = await serveText(() => ({ body: readFixture('vllm', 'kops-vllm-v1-qwen2.5-0.5b-L4.prom') }));
    const r = await createDcgmCollector({ url: server.url, timeoutMs: 5000, maxBytes: 1 << 20 }, () => T).collect(
      new AbortController().signal,
    );
    expect(r.errors).toEqual([`${server.url}: no DCGM GPU series in the scrape`]);
  });
});
