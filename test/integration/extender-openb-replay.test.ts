/**
 * The openb default trace through the extender's HTTP path (filter → prioritize → bind, as
 * kube-scheduler calls them) agrees with the in-process scorer, decision for decision: the nodes
 * filter passes are the ones the policy scores, the nodes prioritize gives 10 are exactly the
 * policy's tied best, and bind takes the GPUs the policy chose. Pods arrive as the simulator's
 * (inflated to 130 %, shuffled with seed 42); kube-scheduler's random pick among the 10s is a seeded
 * draw applied to both sides. REPLAY_PODS (default 400) bounds the run (< 60 s on 2 cores).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExtenderServer, type RunningExtender } from '../../cli/extender-server.ts';
import { GPU_MILLI, newNodeState, placePod, type PodRequest } from '../../scheduler/cluster.ts';
import { createPlacementExtender, type BindPlan } from '../../scheduler/extender/extender.ts';
import { GPU_INDICES_ANNOTATION } from '../../scheduler/extender/kube-objects.ts';
import { parseOpenbNodes, parseOpenbPods } from '../../scheduler/openb-trace.ts';
import { POLICIES } from '../../scheduler/policies/index.ts';
import type { PlacementScore } from '../../scheduler/policy.ts';
import { createRandomSource } from '../../scheduler/random-source.ts';
import { inflateWorkload } from '../../scheduler/workload-inflation.ts';
import { computeWorkloadShapes } from '../../scheduler/workload-shapes.ts';
import { SHARED_DIR } from '../helpers/fixtures.ts';
import { testLogger } from '../helpers/services.ts';
import { extenderClient, openbNodeObject, openbPodObject } from '../kits/extender-kit.ts';

const OPENB = join(SHARED_DIR, 'traces/openb');
const nodes = parseOpenbNodes(readFileSync(join(OPENB, 'openb_node_list_gpu_node.csv'), 'utf8'));
const pods = parseOpenbPods(readFileSync(join(OPENB, 'openb_pod_list_default.csv'), 'utf8'));
const workload = computeWorkloadShapes(pods);
const policy = POLICIES['gpu-ledger']!;
const REPLAY_PODS = Number(process.env['REPLAY_PODS'] ?? 400);

describe('openb default trace through the extender over HTTP', () => {
  let server: RunningExtender;
  const binds: { plan: BindPlan; annotation: string }[] = [];
  beforeAll(async () => {
    const extender = createPlacementExtender({ policy, workload });
    server = await startExtenderServer(
      {
        extender,
        bind: async (plan) => void binds.push({ plan, annotation: plan.gpuIndexes.join(',') }),
        nowMs: () => 0,
        logger: testLogger('extender'),
      },
      { host: '127.0.0.1', port: 0 },
    );
  });
  afterAll(async () => server?.stop());

  it(`agrees with the in-process ${policy.id} scorer on every decision`, async () => {
    const client = extenderClient(server.url);
    const reference = nodes.map(newNodeState);
    const capacity = nodes.reduce((s, n) => s + n.gpuCount * GPU_MILLI, 0);
    const arrivals = inflateWorkload(pods, capacity, 1.3, createRandomSource(42)).slice(0, REPLAY_PODS);
    const pick = createRandomSource(7);
    // The simulator's cache: a node's verdict per pod shape holds until the node changes.
    const memo = new Map<string, { version: number; verdict: PlacementScore | null }[]>();
    const referenceVerdicts = (request: PodRequest) => {
      const key = `${request.cpuMilli}/${request.memoryMib}/${request.gpuCount}/${request.gpuMilli}/${request.gpuSpec.join('|')}`;
      const cached = memo.get(key) ?? [];
      memo.set(key, cached);
      return reference.map((n, k) => {
        if (cached[k]?.version !== n.version)
          cached[k] = { version: n.version, verdict: policy.score(n, request, workload) };
        return cached[k].verdict;
      });
    };
    const names = nodes.map((n) => n.name);
    let [placed, failed, tiedDecisions] = [0, 0, 0];
    for (const [i, request] of arrivals.entries()) {
      const pod = openbPodObject({ ...request, name: `${request.name}-${i}` });
      const verdicts = referenceVerdicts(request);
      const fits = names.filter((_, k) => verdicts[k] !== null);
      const scoreOf = new Map(fits.map((n) => [n, verdicts[names.indexOf(n)]!.score]));
      // The first call carries the full Node objects (a scheduler without nodeCacheCapable); the rest names only.
      const args =
        i === 0 ? { Pod: pod, Nodes: { items: nodes.map((n) => openbNodeObject(n)) } } : { Pod: pod, NodeNames: names };
      const filtered = (await client.post('filter', args)) as {
        Nodes?: { items: { metadata: { name: string } }[] };
        NodeNames?: string[];
      };
      const passing = filtered.NodeNames ?? filtered.Nodes?.items.map((n) => n.metadata.name) ?? [];
      expect(passing, `pod ${i}: filter`).toEqual(fits);
      if (fits.length === 0) {
        failed++;
        continue;
      }
      const scores = (await client.post('prioritize', { pod, nodenames: passing })) as {
        Host: string;
        Score: number;
      }[];
      const best = Math.max(...scoreOf.values());
      const top = scores.filter((s) => s.Score === 10).map((s) => s.Host);
      expect(top, `pod ${i}: the 10s are the policy's best`).toEqual(
        fits.filter((n) => verdicts[names.indexOf(n)]!.score === best),
      );
      if (top.length > 1) tiedDecisions++;
      const node = top[Math.floor(pick() * top.length)]!;
      const k = names.indexOf(node);
      const bound = await client.post('bind', {
        PodName: pod.metadata.name,
        PodNamespace: 'openb',
        PodUID: pod.metadata.uid,
        Node: node,
      });
      expect(bound, `pod ${i}: bind`).toEqual({});
      const gpus = verdicts[k]!.gpuChoices[0]!;
      expect(binds.at(-1)?.plan.gpuIndexes, `pod ${i}: GPUs`).toEqual(gpus);
      placePod(reference[k]!, request, gpus);
      placed++;
    }
    client.close();
    console.log(
      `replay: ${arrivals.length} pods, ${placed} placed, ${failed} failed everywhere, ${tiedDecisions} ties`,
    );
    expect(placed + failed).toBe(arrivals.length);
    expect(placed).toBeGreaterThan(0);
    expect(binds.every((b) => b.annotation === b.plan.gpuIndexes.join(','))).toBe(true);
    expect(GPU_INDICES_ANNOTATION).toBe('gpu-ledger.io/gpu-indices');
  }, 120_000);
});
