/**
 * Figure: the extender's prioritize latency over HTTP on the openb fleet (1,213 GPU nodes), as
 * kube-scheduler calls it: per pod filter → prioritize → bind, over a keep-alive connection, node
 * names only (nodeCacheCapable; the Node objects came once, in the first call). Pods arrive as in the
 * simulator (default trace inflated to 130 %, shuffled with seed 42); `--pods N` of them (default 2000).
 * Prioritize is sent ALL nodes (not only those filter passed), so every call covers the whole fleet.
 * The extender runs in its own process (bench/extender-server-child.ts), as beside a kube-scheduler.
 * Run: `npm run bench:extender`. Prints `extender: p99 <ms> ms per prioritize call on <n> nodes`
 * (target < 10 ms), then the same for filter and for prioritize without a filter call before it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GPU_MILLI } from '../scheduler/cluster.ts';
import { parseOpenbNodes, parseOpenbPods } from '../scheduler/openb-trace.ts';
import { POLICIES } from '../scheduler/policies/index.ts';
import { createRandomSource } from '../scheduler/random-source.ts';
import { inflateWorkload } from '../scheduler/workload-inflation.ts';
import { extenderClient, openbNodeObject, openbPodObject } from '../test/kits/extender-kit.ts';

const OPENB = resolve(import.meta.dirname, '../../shared/traces/openb');
const { values } = parseArgs({
  options: { pods: { type: 'string', default: '2000' }, policy: { type: 'string', default: 'gpu-ledger' } },
});
const policy = POLICIES[values.policy];
if (!policy) throw new Error(`unknown policy ${values.policy}`);
const nodes = parseOpenbNodes(readFileSync(resolve(OPENB, 'openb_node_list_gpu_node.csv'), 'utf8'));
const pods = parseOpenbPods(readFileSync(resolve(OPENB, 'openb_pod_list_default.csv'), 'utf8'));
const capacity = nodes.reduce((s, n) => s + n.gpuCount * GPU_MILLI, 0);
const arrivals = inflateWorkload(pods, capacity, 1.3, createRandomSource(42)).slice(0, Number(values.pods));
const names = nodes.map((n) => n.name);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p99 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.99 * xs.length) - 1)] ?? NaN;

/** Starts the extender in its own process (bench/extender-server-child.ts); resolves with its URL. */
async function startChild(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, 'extender-server-child.ts'), policy!.id],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout.once('data', (d: Buffer) => resolveUrl(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`extender child exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((done) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => (clearTimeout(kill), done()));
        child.stdin.end();
      }),
  };
}

/** One pass over the arrivals; `withFilter: false` skips filter (prioritize then scores cold nodes itself). */
async function run(withFilter: boolean) {
  const server = await startChild();
  const client = extenderClient(server.url);
  await client.post('filter', {
    Pod: openbPodObject(arrivals[0]!),
    Nodes: { items: nodes.map((n) => openbNodeObject(n)) },
  });
  const [filterMs, prioritizeMs] = [[] as number[], [] as number[]];
  const pick = createRandomSource(7);
  let placed = 0;
  for (const [i, request] of arrivals.entries()) {
    const pod = openbPodObject({ ...request, name: `${request.name}-${i}` });
    let passing: Set<string> | null = null;
    if (withFilter) {
      const t = performance.now();
      const filtered = (await client.post('filter', { Pod: pod, NodeNames: names })) as { NodeNames: string[] };
      filterMs.push(performance.now() - t);
      passing = new Set(filtered.NodeNames);
    }
    const t = performance.now();
    const scores = (await client.post('prioritize', { Pod: pod, NodeNames: names })) as {
      Host: string;
      Score: number;
    }[];
    prioritizeMs.push(performance.now() - t);
    const top = scores.filter((s) => s.Score === 10 && (passing?.has(s.Host) ?? true));
    if (top.length === 0) continue;
    const node = top[Math.floor(pick() * top.length)]!.Host;
    const bound = await client.post('bind', {
      PodName: pod.metadata.name,
      PodNamespace: 'openb',
      PodUID: pod.metadata.uid,
      Node: node,
    });
    if (JSON.stringify(bound) === '{}') placed++;
  }
  client.close();
  await server.stop();
  return { filterMs, prioritizeMs, placed };
}

const warm = await run(true);
console.log(
  `${arrivals.length} pods of the openb default trace (130 %, seed 42) through HTTP, ${warm.placed} placed, policy ${policy.id}`,
);
console.log(`extender: p99 ${p99(warm.filterMs).toFixed(2)} ms per filter call on ${nodes.length} nodes`);
const cold = await run(false);
console.log(
  `extender: p99 ${p99(cold.prioritizeMs).toFixed(2)} ms per prioritize call on ${nodes.length} nodes without a filter call before it`,
);
console.log(
  `prioritize median ${median(warm.prioritizeMs).toFixed(2)} ms; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${availableParallelism()} cores`,
);
console.log(`extender: p99 ${p99(warm.prioritizeMs).toFixed(2)} ms per prioritize call on ${nodes.length} nodes`);
