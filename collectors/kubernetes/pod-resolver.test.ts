import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { createPodResolver } from './pod-resolver.ts';

const spec = JSON.parse(readFixture('cgroup', 'elastic-apm-spec-container_metadata_discovery.json')) as Record<
  string,
  { files: Record<string, string[]> }
>;
const cgroupLines = (name: string): string => `${(spec[name]?.files['/proc/self/cgroup'] ?? []).join('\n')}\n`;

describe('createPodResolver over a fake procRoot', () => {
  let procRoot = '';
  const writeCgroup = (pid: number, content: string) => {
    mkdirSync(join(procRoot, String(pid)), { recursive: true });
    writeFileSync(join(procRoot, String(pid), 'cgroup'), content);
  };

  beforeAll(() => {
    procRoot = mkdtempSync(join(tmpdir(), 'gpu-ledger-proc-'));
    writeCgroup(4242, cgroupLines('gardener'));
    writeCgroup(4243, cgroupLines('cgroup_v1_underscores'));
    writeCgroup(1821, cgroupLines('cgroup_v1_ubuntu'));
    writeCgroup(77, cgroupLines('cgroup_v1_awsEcs'));
    mkdirSync(join(procRoot, '99'), { recursive: true }); // pid dir whose cgroup vanished (process exiting)
  });
  afterAll(() => rmSync(procRoot, { recursive: true, force: true }));

  it('binds a containerd pod process (cgroup v2) and a CRI-O one (cgroup v1) to pod UID and container ID', async () => {
    const resolve = createPodResolver({ procRoot });
    await expect(resolve(4242)).resolves.toEqual({
      podUid: '121157b5-c67d-4c3e-9052-cb27bbb711fb',
      containerId: '1cd3449e930b8a28c7595240fa32ba20c84f36d059e5fbe63104ad40057992d1',
    });
    await expect(resolve(4243)).resolves.toEqual({
      podUid: '90d81341-92de-11e7-8cf2-507b9d4141fa',
      containerId: '2227daf62df6694645fee5df53c1f91271546a9560e8600a525690ae252b7f63',
    });
  });

  it('resolves null for host processes and containers outside Kubernetes', async () => {
    const resolve = createPodResolver({ procRoot });
    await expect(resolve(1821)).resolves.toBeNull();
    await expect(resolve(77)).resolves.toBeNull();
  });

  it('resolves null, not an error, for a pid that is gone or invalid', async () => {
    const resolve = createPodResolver({ procRoot });
    await expect(resolve(31337)).resolves.toBeNull();
    await expect(resolve(99)).resolves.toBeNull();
    await expect(resolve(-1)).resolves.toBeNull();
  });

  it('rejects on an I/O fault that is not a vanished process (cgroup is a directory → EISDIR)', async () => {
    mkdirSync(join(procRoot, '555', 'cgroup'), { recursive: true });
    await expect(createPodResolver({ procRoot })(555)).rejects.toThrow(/EISDIR/);
  });

  it('reads the real /proc by default: this test process is resolvable without error', async () => {
    const result = await createPodResolver()(process.pid);
    expect(result === null || typeof result.podUid === 'string').toBe(true);
  });
});
