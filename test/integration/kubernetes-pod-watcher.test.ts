import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus } from '../../bus/kafka-bus.ts';
import { createPodEventPublisher } from '../../collectors/kubernetes/pod-event-publisher.ts';
import { createPodWatcher, type PodWatcher } from '../../collectors/kubernetes/pod-watcher.ts';
import { decodePodEvent, Topics, type PodEvent, type RecordBus } from '../../contracts/index.ts';
import { kubeBinDir, startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.ts';
import { loadTestServices, testLogger } from '../helpers/services.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

// A real kube-apiserver + etcd (scripts/build-kube-apiserver.sh); pods are created with
// spec.nodeName set (no scheduler, no kubelet, no Node object) and their status is written through
// the status subresource as a kubelet would.
const SEEN_AT = Date.parse('2030-01-01T00:00:00Z'); // the watcher's clock: marks times Kubernetes did not record
const dns = (prefix: string) => uniqueName(prefix).replaceAll('_', '-').toLowerCase();
const namespace = dns('gpu-pods');
const node = dns('gpu-node');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function gpuPod(
  name: string,
  limits: Record<string, string>,
  extra: { annotations?: Record<string, string>; owner?: [string, string] } = {},
): V1Pod {
  const [ownerKind, ownerName] = extra.owner ?? ['Job', name];
  return {
    metadata: {
      name,
      namespace,
      labels: { team: 'ml-platform', tenant: 'acme', model: name },
      annotations: extra.annotations ?? {},
      ownerReferences: [
        {
          apiVersion: ownerKind === 'Job' ? 'batch/v1' : 'apps/v1',
          kind: ownerKind,
          name: ownerName,
          uid: randomUUID(),
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'registry.invalid/cuda:12.4', resources: { limits } }],
    },
  };
}

const status = (
  phase: string,
  scheduledMs: number,
  state?: { startedMs: number; finishedMs?: number; exitCode?: number },
): V1PodStatus => ({
  phase,
  conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(scheduledMs) }],
  ...(state && {
    containerStatuses: [
      {
        name: 'main',
        image: 'registry.invalid/cuda:12.4',
        imageID: '',
        ready: state.finishedMs === undefined,
        restartCount: 0,
        state:
          state.finishedMs === undefined
            ? { running: { startedAt: new Date(state.startedMs) } }
            : {
                terminated: {
                  exitCode: state.exitCode ?? 0,
                  startedAt: new Date(state.startedMs),
                  finishedAt: new Date(state.finishedMs),
                },
              },
      },
    ],
  }),
});

describe('pod watcher against a real kube-apiserver', () => {
  let server: KubeApiServer;
  let core: CoreV1Api;
  let watcher: PodWatcher;
  let bus: RecordBus;
  const events: PodEvent[] = [];
  const created = new Map<string, number>(); // pod name → creationTimestamp ms
  const uids = new Map<string, string>();

  const setStatus = (name: string, body: V1PodStatus) =>
    core.patchNamespacedPodStatus({ name, namespace, body: { status: { ...body } } }, mergePatch);
  const create = async (pod: V1Pod) => {
    const made = await core.createNamespacedPod({ namespace: pod.metadata?.namespace ?? namespace, body: pod });
    created.set(made.metadata?.name ?? '', made.metadata?.creationTimestamp?.getTime() ?? 0);
    uids.set(made.metadata?.name ?? '', made.metadata?.uid ?? '');
    return made;
  };
  const of = (name: string) => events.filter((e) => e.podName === name).map((e) => [e.event, iso(e.atMs)]);

  beforeAll(async () => {
    server = await startKubeApiServer({ binDir: kubeBinDir(process.env) });
    core = server.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    bus = createKafkaBus({
      brokers: loadTestServices(process.env).kafkaBrokers,
      clientId: 'pod-watcher-it',
      logger: testLogger('kafka'),
      topicPrefix: `${namespace}.`,
    });
    await bus.ensureTopics([Topics.podEvents], { partitions: 3 });
    watcher = createPodWatcher(
      { kubeConfig: server.kubeConfig, logger: testLogger('pod-watcher'), now: () => SEEN_AT },
      { cluster: 'it', nodeName: node, watchTimeoutSeconds: 2, retryMinMs: 100, retryMaxMs: 1000 },
    );
    watcher.subscribe((batch) => events.push(...batch));
  });
  afterAll(async () => {
    await watcher?.close();
    await bus?.close();
    await server?.close();
  });

  it('emits created/scheduled/started/finished/deleted once each, in order, at the recorded times, and publishes them keyed by pod UID', async () => {
    const publisher = createPodEventPublisher(watcher, bus, { logger: testLogger('publisher') });
    await watcher.start();
    await create(gpuPod('train-whole', { 'nvidia.com/gpu': '2' }));
    await create(gpuPod('infer-mig', { 'nvidia.com/mig-1g.10gb': '1' }, { owner: ['ReplicaSet', 'infer-mig-7d9f'] }));
    await create(
      gpuPod(
        'notebook-hami',
        { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '30', 'nvidia.com/gpumem': '3000' },
        {
          annotations: {
            'hami.io/vgpu-devices-allocated': 'GPU-0fc3eda5-e98b-a25b-5b0d-cf5c855d1448,NVIDIA,3000,30:;',
          },
        },
      ),
    );
    const elsewhere = gpuPod('elsewhere', { 'nvidia.com/gpu': '8' });
    await create({
      ...elsewhere,
      spec: { ...elsewhere.spec, nodeName: 'another-node', containers: elsewhere.spec?.containers ?? [] },
    });
    const t = (name: string, offsetS: number) => (created.get(name) ?? 0) + offsetS * 1000;
    for (const name of ['train-whole', 'infer-mig', 'notebook-hami']) {
      await setStatus(name, status('Pending', t(name, 2)));
      await setStatus(name, status('Running', t(name, 2), { startedMs: t(name, 5) }));
    }
    await new Promise((r) => setTimeout(r, 2500)); // outlive one server-side watch timeout (2 s): the watch resumes from its resourceVersion
    await setStatus(
      'train-whole',
      status('Succeeded', t('train-whole', 2), { startedMs: t('train-whole', 5), finishedMs: t('train-whole', 65) }),
    );
    // A terminal pod is deleted at once; the API stamps deletionTimestamp = the time of the request.
    const gone = await core.deleteNamespacedPod({ name: 'train-whole', namespace });
    const goneAt = gone.metadata?.deletionTimestamp?.getTime() ?? 0;
    const graceful = await core.deleteNamespacedPod({ name: 'infer-mig', namespace, gracePeriodSeconds: 30 }); // running: stays, Terminating
    const deadline = graceful.metadata?.deletionTimestamp?.getTime() ?? 0;
    expect(deadline).toBeGreaterThan(t('infer-mig', 5));
    const forced = await core.deleteNamespacedPod({ name: 'infer-mig', namespace, gracePeriodSeconds: 0 }); // force: gone now
    const forcedAt = forced.metadata?.deletionTimestamp?.getTime() ?? 0;
    expect(forcedAt).toBeLessThanOrEqual(deadline); // a deletion deadline may only be shortened

    await waitFor('12 pod events', () => events.length >= 12, 30_000);
    expect(of('train-whole')).toEqual([
      ['created', iso(t('train-whole', 0))],
      ['scheduled', iso(t('train-whole', 2))],
      ['started', iso(t('train-whole', 5))],
      ['finished', iso(t('train-whole', 65))],
      ['deleted', iso(goneAt)],
    ]);
    expect(of('infer-mig')).toEqual([
      ['created', iso(t('infer-mig', 0))],
      ['scheduled', iso(t('infer-mig', 2))],
      ['started', iso(t('infer-mig', 5))],
      ['deleted', iso(forcedAt)],
    ]);
    expect(of('notebook-hami')).toEqual([
      ['created', iso(t('notebook-hami', 0))],
      ['scheduled', iso(t('notebook-hami', 2))],
      ['started', iso(t('notebook-hami', 5))],
    ]);
    expect(events).toHaveLength(12);
    expect(events.filter((e) => e.podName === 'elsewhere')).toEqual([]);
    expect(watcher.stats.watches).toBeGreaterThanOrEqual(2);

    const byName = (name: string) => events.find((e) => e.podName === name);
    expect(byName('train-whole')).toMatchObject({
      cluster: 'it',
      node,
      namespace,
      gpuRequest: { kind: 'whole', count: 2 },
      owner: { kind: 'Job', name: 'train-whole' },
      gpuUuids: [],
    });
    expect(byName('infer-mig')).toMatchObject({
      gpuRequest: { kind: 'mig', profile: '1g.10gb', count: 1 },
      owner: { kind: 'ReplicaSet', name: 'infer-mig-7d9f' },
    });
    expect(byName('notebook-hami')).toMatchObject({
      gpuRequest: { kind: 'fraction', milli: 300, memoryBytes: 3000 * 2 ** 20 },
      gpuUuids: ['GPU-0fc3eda5-e98b-a25b-5b0d-cf5c855d1448'],
      labels: { team: 'ml-platform', tenant: 'acme', model: 'notebook-hami' },
    });
    expect(watcher.get(uids.get('notebook-hami') ?? '')?.phase).toBe('Running');
    expect(watcher.get(uids.get('train-whole') ?? '')).toBeUndefined();

    // The same 12 events reached Kafka, keyed by pod UID, each pod's events in order.
    await publisher.flush();
    expect(publisher.sent).toBe(12);
    const received: { key: string | null; event: PodEvent }[] = [];
    const sub = await bus.subscribe({
      groupId: `${namespace}-check`,
      topics: [Topics.podEvents],
      fromBeginning: true,
      handleBatch: async (b) =>
        void received.push(
          ...b.records.map((r) => {
            const decoded = decodePodEvent(r.value);
            if (!decoded.ok) throw new Error(decoded.error);
            return { key: r.key, event: decoded.value };
          }),
        ),
    });
    await waitFor('12 records on Kafka', () => received.length >= 12, 60_000);
    await sub.close();
    expect(received.every((r) => r.key === r.event.podUid)).toBe(true);
    for (const name of ['train-whole', 'infer-mig', 'notebook-hami']) {
      expect(received.filter((r) => r.event.podName === name).map((r) => r.event)).toEqual(
        events.filter((e) => e.podName === name),
      );
    }
    await publisher.close();
  });

  it('after an API server outage (watch broken, 410 Gone, re-list) catches up on what changed meanwhile, repeating nothing', async () => {
    const before = { ...watcher.stats };
    const hami = 'notebook-hami';
    const t = (offsetS: number) => (created.get(hami) ?? 0) + offsetS * 1000;
    // While the watcher's API server is down, the pods change through a second API server on the
    // same etcd. When the first comes back, its watch cache starts at etcd's current revision, so
    // the watcher's resourceVersion is too old: 410 Gone, re-list.
    const peer = await server.startPeer();
    const peerCore = peer.kubeConfig.makeApiClient(CoreV1Api);
    await server.stopApiServer();
    await peerCore.patchNamespacedPodStatus(
      {
        name: hami,
        namespace,
        body: { status: status('Failed', t(2), { startedMs: t(5), finishedMs: t(125), exitCode: 137 }) },
      },
      mergePatch,
    );
    await peerCore.deleteNamespacedPod({ name: hami, namespace });
    const late = await peerCore.createNamespacedPod({
      namespace,
      body: gpuPod('after-outage', { 'nvidia.com/gpu': '1' }),
    });
    const lateCreated = late.metadata?.creationTimestamp?.getTime() ?? 0;
    await peerCore.patchNamespacedPodStatus(
      { name: 'after-outage', namespace, body: { status: status('Pending', lateCreated + 1000) } },
      mergePatch,
    );
    await server.startApiServer();

    await waitFor('events after the outage', () => of(hami).length === 4 && of('after-outage').length === 2, 60_000);
    // The HAMi pod failed and was deleted during the outage: the re-list no longer has it, so its
    // finish was never observable, and its deletion is dated when the re-list noticed it (watcher clock).
    expect(of(hami)).toEqual([
      ['created', iso(t(0))],
      ['scheduled', iso(t(2))],
      ['started', iso(t(5))],
      ['deleted', iso(SEEN_AT)],
    ]);
    expect(of('after-outage')).toEqual([
      ['created', iso(lateCreated)],
      ['scheduled', iso(lateCreated + 1000)],
    ]);
    expect(watcher.stats.expired).toBe(before.expired + 1);
    expect(watcher.stats.lists).toBe(before.lists + 1);

    // The watch goes on after the re-list: a deletion now arrives as a DELETED event with its time
    // (grace 0: a bound, non-terminal pod would otherwise wait in Terminating for a kubelet).
    const gone = await core.deleteNamespacedPod({ name: 'after-outage', namespace, gracePeriodSeconds: 0 });
    await waitFor('after-outage deleted', () => of('after-outage').length === 3, 30_000);
    expect(of('after-outage')[2]).toEqual(['deleted', iso(gone.metadata?.deletionTimestamp?.getTime() ?? 0)]);
    const keys = events.map((e) => `${e.podUid}/${e.event}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(events).toHaveLength(12 + 1 + 3);
  });

  it('close() aborts a long-running watch at once; nothing is emitted afterwards', async () => {
    const second = createPodWatcher(
      { kubeConfig: server.kubeConfig, logger: testLogger('pod-watcher'), now: () => SEEN_AT },
      { cluster: 'it', nodeName: node },
    );
    const seen: PodEvent[] = [];
    second.subscribe((batch) => seen.push(...batch));
    await second.start(); // default watch timeout 300 s: the connection stays open
    expect(second.stats).toMatchObject({ lists: 1, watches: 1 });
    const t0 = Date.now();
    await second.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
    await create(gpuPod('after-close', { 'nvidia.com/gpu': '1' }));
    await waitFor('the main watcher sees it', () => of('after-close').length === 1, 30_000);
    expect(seen).toEqual([]);
  });

  it('a restarted agent (state file kept) sends `deleted` for a pod removed while it was down, and repeats nothing', async () => {
    const node2 = dns('gpu-node-restart');
    const dir = mkdtempSync(join(tmpdir(), 'pod-watcher-state-'));
    const statePath = join(dir, 'pod-tracker.json');
    const start = (nowMs: number) => {
      const w = createPodWatcher(
        { kubeConfig: server.kubeConfig, logger: testLogger('pod-watcher'), now: () => nowMs },
        { cluster: 'it', nodeName: node2, statePath },
      );
      const seen: PodEvent[] = [];
      w.subscribe((batch) => seen.push(...batch));
      return { w, seen, of: (name: string) => seen.filter((e) => e.podName === name).map((e) => e.event) };
    };
    const onNode2 = (name: string): V1Pod => {
      const pod = gpuPod(name, { 'nvidia.com/gpu': '1' });
      return { ...pod, spec: { ...pod.spec, nodeName: node2, containers: pod.spec?.containers ?? [] } };
    };
    try {
      const before = start(SEEN_AT);
      await before.w.start();
      for (const name of ['restart-stays', 'restart-gone']) {
        const made = await create(onNode2(name));
        const t = made.metadata?.creationTimestamp?.getTime() ?? 0;
        await setStatus(name, status('Running', t, { startedMs: t + 2000 }));
      }
      await waitFor(
        'both started',
        () => before.of('restart-stays').includes('started') && before.of('restart-gone').includes('started'),
        30_000,
      );
      await before.w.close();
      await core.deleteNamespacedPod({ name: 'restart-gone', namespace, gracePeriodSeconds: 0 });

      const restartedAt = SEEN_AT + 3_600_000;
      const after = start(restartedAt);
      await after.w.start();
      expect(after.seen.map((e) => [e.podName, e.event, e.atMs])).toEqual([['restart-gone', 'deleted', restartedAt]]);
      expect(after.w.get(uids.get('restart-stays') ?? '')?.phase).toBe('Running');
      await after.w.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
