import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/helpers/private-stack.ts';
import { testLogger } from '../../test/helpers/services.ts';
import { createPodWatcher } from './pod-watcher.ts';

// The watcher against a real API server is in test/integration/kubernetes-pod-watcher.test.ts;
// here only what needs no server: an unreachable one.
describe('createPodWatcher with the API server unreachable', () => {
  it('keeps retrying the list; close() ends start() and itself promptly', async () => {
    const kubeConfig = new KubeConfig();
    const server = `https://127.0.0.1:${await freePort()}`; // nothing listens there
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const watcher = createPodWatcher(
      { kubeConfig, logger: testLogger('pod-watcher'), now: Date.now },
      { cluster: 'c', nodeName: 'n', retryMinMs: 20, retryMaxMs: 40 },
    );
    const started = watcher.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.stats).toEqual({ lists: 0, watches: 0, expired: 0 });
    const t0 = Date.now();
    await watcher.close();
    await started;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(() => watcher.start()).toThrow(/already started/);
  });
});
