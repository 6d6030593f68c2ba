import type { PodRequest } from './cluster.ts';
import { shuffleInPlace, type RandomSource } from './random-source.ts';

const gpuMilliOf = (pod: PodRequest) => pod.gpuCount * pod.gpuMilli;

/**
 * The FGD protocol's arrivals (Weng et al. §6.1, its simulator's workload tuning): the trace's pods
 * topped up by sampling with replacement until their GPU request reaches `ratio` × the cluster's GPU
 * capacity (1.3 in the paper), shuffled; a trace already above that is shuffled and thinned to the
 * shortest prefix that reaches it. CPU-only pods ride along wherever they fall.
 */
export function inflateWorkload(
  pods: readonly PodRequest[],
  capacityGpuMilli: number,
  ratio: number,
  random: RandomSource,
): PodRequest[] {
  const target = ratio * capacityGpuMilli;
  let total = pods.reduce((sum, pod) => sum + gpuMilliOf(pod), 0);
  if (total === 0) throw new Error('the trace asks for no GPU: nothing to scale to the capacity');
  const list = [...pods];
  while (total < target) {
    const pod = pods[Math.floor(random() * pods.length)] as PodRequest;
    list.push(pod);
    total += gpuMilliOf(pod);
  }
  shuffleInPlace(list, random);
  let cumulative = 0;
  const end = list.findIndex((pod) => (cumulative += gpuMilliOf(pod)) >= target);
  return list.slice(0, end + 1);
}
