import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { parseCgroup, parseCgroupPath } from './parse-cgroup.ts';

/** Elastic APM's cross-agent spec: real /proc/self/cgroup lines with the expected container and pod. */
interface SpecCase {
  readonly files: { readonly '/proc/self/cgroup'?: readonly string[] };
  readonly containerId: string | null;
  readonly podId: string | null;
}
const spec = JSON.parse(readFixture('cgroup', 'elastic-apm-spec-container_metadata_discovery.json')) as Record<
  string,
  SpecCase
>;
const cgroupOf = (name: string): string => (spec[name]?.files['/proc/self/cgroup'] ?? []).join('\n');
const pathOf = (name: string): string => cgroupOf(name).split(':').slice(2).join(':');

// The only case whose cgroup file alone cannot name the container: cgroup v2 inside a private
// cgroup namespace reads `0::/`; Elastic finds the Docker id in mountinfo, which we do not read
// (for pods the agent reads other processes' cgroup from the host's view, where the path is full).
const MOUNTINFO_ONLY = new Set(['cgroup_v2']);

describe('parseCgroup on every case of the Elastic APM spec', () => {
  const cases = Object.entries(spec).filter(([, c]) => c.files['/proc/self/cgroup'] !== undefined);

  it('covers the six cases that carry a cgroup file', () => {
    expect(cases.map(([name]) => name)).toEqual([
      'cgroup_v1_underscores',
      'cgroup_v1_openshift',
      'cgroup_v1_ubuntu',
      'cgroup_v1_awsEcs',
      'cgroup_v2',
      'gardener',
    ]);
  });

  it.each(cases)('%s: pod UID and container ID as the spec expects', (name, c) => {
    const id = parseCgroup(cgroupOf(name));
    expect(id?.podUid ?? null).toBe(c.podId);
    expect(id?.containerId ?? null).toBe(MOUNTINFO_ONLY.has(name) ? null : c.containerId);
  });

  it('reads the systemd-driver pod UID back with dashes and the QoS class from the slice', () => {
    expect(parseCgroup(cgroupOf('cgroup_v1_underscores'))).toEqual({
      podUid: '90d81341-92de-11e7-8cf2-507b9d4141fa',
      containerId: '2227daf62df6694645fee5df53c1f91271546a9560e8600a525690ae252b7f63',
      qosClass: 'burstable',
    });
    expect(parseCgroup(cgroupOf('cgroup_v1_openshift'))?.qosClass).toBe('guaranteed');
    expect(parseCgroup(cgroupOf('gardener'))?.qosClass).toBe('burstable');
  });

  it('says a host process (Ubuntu terminal scope) and a cgroup-v2 root are in no container', () => {
    expect(parseCgroup(cgroupOf('cgroup_v1_ubuntu'))).toBeNull();
    expect(parseCgroup(cgroupOf('cgroup_v2'))).toBeNull();
  });
});

// Synthetic whole files, built from the spec's real lines (same UIDs, ids and slice names).
const crioPath = pathOf('cgroup_v1_underscores'); // systemd driver, CRI-O, burstable
const containerdPath = pathOf('gardener'); // systemd driver, containerd, burstable
const CRIO_ID = '2227daf62df6694645fee5df53c1f91271546a9560e8600a525690ae252b7f63';
const CRIO_POD = '90d81341-92de-11e7-8cf2-507b9d4141fa';
const CTRD_ID = '1cd3449e930b8a28c7595240fa32ba20c84f36d059e5fbe63104ad40057992d1';
const CTRD_POD = '121157b5-c67d-4c3e-9052-cb27bbb711fb';
const V1_CONTROLLERS = [
  'blkio',
  'cpu,cpuacct',
  'cpuset',
  'devices',
  'freezer',
  'hugetlb',
  'memory',
  'net_cls,net_prio',
  'perf_event',
  'pids',
];
const v1File = (path: string, extra: readonly string[] = []): string =>
  [...extra, ...V1_CONTROLLERS.map((c, i) => `${12 - i}:${c}:${path}`), `1:name=systemd:${path}`].join('\n') + '\n';

describe('parseCgroup on whole multi-line files', () => {
  it('cgroup v1 with every controller on the CRI-O pod path, plus rdma at the root (hybrid 0::/ too)', () => {
    const file = v1File(crioPath, ['13:rdma:/', '0::/']);
    expect(file.split('\n').filter(Boolean)).toHaveLength(13);
    expect(parseCgroup(file)).toEqual({ podUid: CRIO_POD, containerId: CRIO_ID, qosClass: 'burstable' });
  });

  it('cgroup v1 where only some controllers name the container: the most specific line wins', () => {
    const podSlice = crioPath.slice(0, crioPath.lastIndexOf('/'));
    const file = ['12:pids:/', `11:memory:${podSlice}`, `1:name=systemd:${crioPath}`].join('\n');
    expect(parseCgroup(file)).toEqual({ podUid: CRIO_POD, containerId: CRIO_ID, qosClass: 'burstable' });
    expect(parseCgroup(`11:memory:${podSlice}\n`)).toEqual({
      podUid: CRIO_POD,
      containerId: null,
      qosClass: 'burstable',
    });
  });

  it('cgroupfs driver: /kubepods/<qos>/pod<uid>/<id> for burstable and besteffort, /kubepods/pod<uid>/<id> for guaranteed', () => {
    expect(parseCgroup(v1File(`/kubepods/burstable/pod${CTRD_POD}/${CTRD_ID}`))).toEqual({
      podUid: CTRD_POD,
      containerId: CTRD_ID,
      qosClass: 'burstable',
    });
    expect(parseCgroup(`0::/kubepods/besteffort/pod${CTRD_POD}/${CTRD_ID}\n`)?.qosClass).toBe('besteffort');
    expect(parseCgroup(`0::/kubepods/pod${CTRD_POD}/${CTRD_ID}\n`)).toEqual({
      podUid: CTRD_POD,
      containerId: CTRD_ID,
      qosClass: 'guaranteed',
    });
  });

  it('cgroup v2 seen from inside another cgroup namespace (/../.. prefix), and under kind`s kubelet.slice', () => {
    expect(parseCgroup(`0::/../../..${containerdPath}\n`)).toEqual({
      podUid: CTRD_POD,
      containerId: CTRD_ID,
      qosClass: 'burstable',
    });
    const kind = containerdPath
      .replaceAll('kubepods', 'kubelet-kubepods')
      .replace('/kubelet-kubepods.slice', '/kubelet.slice/kubelet-kubepods.slice');
    expect(parseCgroup(`0::${kind}`)?.podUid).toBe(CTRD_POD);
  });

  it('Docker: docker-<id>.scope in a pod, /docker/<id> outside Kubernetes (container only)', () => {
    expect(parseCgroup(`0::${containerdPath.replace('cri-containerd-', 'docker-')}`)?.containerId).toBe(CTRD_ID);
    expect(parseCgroup(v1File(`/docker/${CTRD_ID}`))).toEqual({ podUid: null, containerId: CTRD_ID, qosClass: null });
  });

  it('ignores malformed lines and empty files, and does not take a pod-like name outside kubepods', () => {
    expect(parseCgroup('')).toBeNull();
    expect(parseCgroup('garbage\n\n')).toBeNull();
    expect(parseCgroupPath(`/user.slice/pod${CTRD_POD}/${CTRD_ID}`)).toEqual({
      podUid: null,
      containerId: CTRD_ID,
      qosClass: null,
    });
  });
});
