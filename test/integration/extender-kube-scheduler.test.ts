/**
 * A real kube-scheduler (scripts/build-kube-scheduler.sh) with the extender configured (filter,
 * prioritize, bind; score plugins off, so the extender's scores decide) against a real
 * kube-apiserver: GPU nodes as Node objects (nvidia.com/gpu allocatable, GFD product label, the
 * agent's island annotation from a real DGX A100 `nvidia-smi topo -m`), pods created one at a time;
 * the test reads back each pod's node and GPU annotation and checks they are the extender's choice.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtenderServer, type RunningExtender } from '../../cli/extender-server.ts';
import { createKubeSource } from '../../cli/extender-sources.ts';
import { gpuIslands, parseTopoMatrix } from '../../collectors/nvidia-smi/parse-topo.ts';
import { createPlacementExtender, type PlacementExtender } from '../../scheduler/extender/extender.ts';
import {
  GPU_INDICES_ANNOTATION,
  GPU_ISLANDS_ANNOTATION,
  GPU_PRODUCT_LABEL,
  kubePodOf,
} from '../../scheduler/extender/kube-objects.ts';
import { formatIslandsAnnotation } from '../../scheduler/extender/topology.ts';
import { parseOpenbPods } from '../../scheduler/openb-trace.ts';
import { POLICIES } from '../../scheduler/policies/index.ts';
import { computeWorkloadShapes } from '../../scheduler/workload-shapes.ts';
import { readFixture, SHARED_DIR } from '../helpers/fixtures.ts';
import { kubeBinDir, startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.ts';
import { startKubeScheduler, type KubeScheduler } from '../helpers/kube-scheduler.ts';
import { freePort } from '../helpers/private-stack.ts';
import { extenderClient } from '../kits/extender-kit.ts';
import { testLogger } from '../helpers/services.ts';
import { waitFor } from '../helpers/wait-for.ts';

const A100 = 'NVIDIA-A100-SXM4-80GB';
const dgxIslands = gpuIslands(parseTopoMatrix(readFixture('topo', '03-gengwg-cheatsheets-dgx-a100.txt')));
const NODES = [
  { name: 'dgx-a100', gpus: 8, model: A100, islands: formatIslandsAnnotation(dgxIslands) },
  { name: 'hgx-a100-4', gpus: 4, model: A100, islands: '' },
  { name: 't4-node', gpus: 4, model: 'Tesla-T4', islands: '' },
];
const NAMESPACE = 'gpu-jobs';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const pod = (name: string, limits: Record<string, string>, nodeSelector?: Record<string, string>): V1Pod => ({
  metadata: { name, namespace: NAMESPACE },
  spec: {
    containers: [
      {
        name: 'main',
        image: 'registry.invalid/cuda:12.4',
        resources: { requests: { cpu: '4', memory: '16Gi' }, limits },
      },
    ],
    ...(nodeSelector ? { nodeSelector } : {}),
  },
});

describe('kube-scheduler with the gpu-ledger extender on a real API server', () => {
  let kube: KubeApiServer;
  let api: CoreV1Api;
  let server: RunningExtender;
  let scheduler: KubeScheduler;
  let extender: PlacementExtender;
  const prioritized = new Map<string, ReadonlyMap<string, number>>();

  beforeAll(async () => {
    kube = await startKubeApiServer({ binDir: kubeBinDir(process.env) });
    api = kube.kubeConfig.makeApiClient(CoreV1Api);
    await api.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    for (const n of NODES) {
      await api.createNode({
        body: {
          metadata: {
            name: n.name,
            labels: { [GPU_PRODUCT_LABEL]: n.model, 'kubernetes.io/hostname': n.name },
            ...(n.islands ? { annotations: { [GPU_ISLANDS_ANNOTATION]: n.islands } } : {}),
          },
        },
      });
      // The TaintNodesByCondition admission taints a new node not-ready; no kubelet will clear it here.
      await api.patchNode({ name: n.name, body: { spec: { taints: null } } }, mergePatch);
      const resources = { cpu: '64', memory: '512Gi', pods: '110', 'nvidia.com/gpu': String(n.gpus) };
      await api.patchNodeStatus(
        {
          name: n.name,
          body: {
            status: {
              capacity: resources,
              allocatable: resources,
              conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test node' }],
            },
          },
        },
        mergePatch,
      );
    }
    const openb = join(SHARED_DIR, 'traces/openb/openb_pod_list_default.csv');
    const workload = computeWorkloadShapes(parseOpenbPods(readFileSync(openb, 'utf8'), openb));
    extender = createPlacementExtender({ policy: POLICIES['gpu-ledger']!, workload });
    const recording: PlacementExtender = {
      ...extender,
      prioritize: (p, names, now) => {
        const scores = extender.prioritize(p, names, now);
        prioritized.set(p.key, scores);
        return scores;
      },
    };
    const source = createKubeSource(kube.kubeConfig, extender, Date.now);
    server = await startExtenderServer(
      {
        extender: recording,
        bind: source.bind,
        readPod: source.readPod,
        nowMs: Date.now,
        logger: testLogger('extender'),
      },
      { host: '127.0.0.1', port: 0 },
    );
    scheduler = startKubeScheduler({
      binDir: kubeBinDir(process.env),
      kubeConfig: kube.kubeConfig,
      configuration: {
        profiles: [{ schedulerName: 'default-scheduler', plugins: { score: { disabled: [{ name: '*' }] } } }],
        extenders: [
          {
            urlPrefix: server.url,
            filterVerb: 'filter',
            prioritizeVerb: 'prioritize',
            bindVerb: 'bind',
            weight: 1,
            nodeCacheCapable: false,
            httpTimeout: '5s',
            // The extender keeps the GPU books (per GPU, shares included): kube-scheduler only routes.
            managedResources: [
              { name: 'nvidia.com/gpu', ignoredByScheduler: true },
              { name: 'nvidia.com/gpucores', ignoredByScheduler: true },
            ],
          },
        ],
      },
    });
  });

  afterAll(async () => {
    await scheduler?.close();
    await server?.stop();
    await kube?.close();
  });

  /** Creates the pod and waits (bounded) for kube-scheduler to bind it; the scheduler's log on failure. */
  const schedule = async (p: V1Pod) => {
    await api.createNamespacedPod({ namespace: NAMESPACE, body: p });
    const name = p.metadata!.name!;
    const read = () => api.readNamespacedPod({ namespace: NAMESPACE, name });
    await waitFor(`pod ${name} bound`, async () => Boolean((await read()).spec?.nodeName), 30_000, 100).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\n${scheduler.logTail()}`);
      },
    );
    const result = await read();
    const key = `${NAMESPACE}/${name}`;
    const scores = prioritized.get(key);
    const top = [...(scores ?? new Map<string, number>())].filter(([, s]) => s === 10).map(([n]) => n);
    return {
      node: result.spec!.nodeName!,
      gpus: result.metadata?.annotations?.[GPU_INDICES_ANNOTATION],
      top,
      placement: extender.placement(key),
    };
  };

  it('keeps a multi-GPU pod inside one NUMA island of the DGX A100 (from its real topo -m)', async () => {
    const onDgx = { 'kubernetes.io/hostname': 'dgx-a100' };
    expect((await schedule(pod('pin-1gpu', { 'nvidia.com/gpu': '1' }, onDgx))).gpus).toBe('0');
    // First free GPUs would be 1,2: across the NUMA pairs {0,1} and {2,3}. One whole pair it is.
    const r = await schedule(pod('train-2gpu-dgx', { 'nvidia.com/gpu': '2' }, onDgx));
    expect(r.node).toBe('dgx-a100');
    expect(r.gpus).toBe('2,3');
    expect(dgxIslands[0]).toContainEqual([2, 3]);
  }, 90_000);

  it('binds each GPU pod on the node the extender scored best, with the GPUs it chose', async () => {
    const placed = [];
    for (const p of [
      pod('train-4gpu', { 'nvidia.com/gpu': '4' }, { [GPU_PRODUCT_LABEL]: A100 }),
      pod('infer-30pct', { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '30' }),
      pod('infer-50pct', { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '50' }),
      pod('train-1gpu', { 'nvidia.com/gpu': '1' }, { [GPU_PRODUCT_LABEL]: A100 }),
    ]) {
      const r = await schedule(p);
      expect(r.top, `${p.metadata!.name}: extender's best`).toContain(r.node);
      expect(r.placement?.node).toBe(r.node);
      expect(r.gpus).toBe(r.placement?.gpuIndexes.join(','));
      placed.push({ pod: p.metadata!.name!, ...r });
      if (p.metadata!.name === 'train-4gpu' && r.node === 'dgx-a100') expect(r.gpus).toBe('4,5,6,7'); // two whole NUMA pairs
    }
    console.log(placed.map((p) => `${p.pod} → ${p.node} [${p.gpus}] (best: ${p.top.join(', ')})`).join('\n'));
    // At least some decisions were the extender's alone (a single node scored 10).
    expect(placed.filter((p) => p.top.length === 1).length).toBeGreaterThan(0);
  }, 180_000);

  it('`gpu-ledger extender` rebuilds its GPU books from the API server and answers names-only calls alike', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-extender-cli-'));
    const kubeconfig = join(runDir, 'kubeconfig.json');
    writeFileSync(kubeconfig, kube.kubeConfig.exportConfig());
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [resolve('bin/gpu-ledger.js'), 'extender', '--port', String(port), '--no-hints'],
      {
        env: { ...process.env, KUBECONFIG: kubeconfig, GPU_LEDGER_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        `gpu-ledger extender on ${url}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`extender exited ${child.exitCode}: ${output}`);
          return (await fetch(`${url}/healthz`).catch(() => null))?.ok === true;
        },
        60_000,
        200,
      );
      const client = extenderClient(url);
      const probes: Record<string, string>[] = [
        { 'nvidia.com/gpu': '2' },
        { 'nvidia.com/gpu': '1', 'nvidia.com/gpucores': '60' },
      ];
      for (const limits of probes) {
        const p = { ...pod('probe', limits), metadata: { name: 'probe', namespace: NAMESPACE } };
        const names = NODES.map((n) => n.name);
        const answer = (await client.post('filter', { Pod: p, NodeNames: names })) as {
          NodeNames: string[];
          FailedNodes: Record<string, string>;
        };
        const expected = extender.filter(kubePodOf(p), names, Date.now());
        expect(answer.NodeNames).toEqual([...expected.passing]);
        expect(Object.keys(answer.FailedNodes)).toEqual([...expected.failed.keys()]);
      }
      client.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 90_000);
});
