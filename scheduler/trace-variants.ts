import { isSharingPod, type NodeSpec, type PodRequest } from './cluster.ts';
import { createRandomSource, type RandomSource } from './random-source.ts';

/**
 * Variants of an openb pod list, built from it (the held-out upstream variants are not in
 * ../shared/traces): each keeps the trace's pods and changes one thing, seeded so a variant is the
 * same pod list on every run.
 * - `cpu-heavier`: as many CPU-only pods again, sampled from the trace's CPU-only pods (their share
 *   of the pods goes from 13% to 24%).
 * - `more-sharing`: half of the whole single-GPU pods replaced by sharing pods sampled from the trace's.
 * - `more-multi-gpu`: a fifth of the single-GPU pods (whole or sharing) replaced by multi-GPU pods sampled
 *   from the trace's 75.
 * - `gpu-spec`: a third of the GPU pods allowed only one GPU model, drawn in proportion to the
 *   cluster's GPUs of each model (so every model keeps demand it can meet).
 */
export const TRACE_VARIANTS = ['cpu-heavier', 'more-sharing', 'more-multi-gpu', 'gpu-spec'] as const;
export type TraceVariant = (typeof TRACE_VARIANTS)[number];

const pick = <T>(items: readonly T[], random: RandomSource): T => items[Math.floor(random() * items.length)] as T;

export function buildTraceVariant(
  pods: readonly PodRequest[],
  nodes: readonly NodeSpec[],
  variant: TraceVariant,
  seed = 1,
): PodRequest[] {
  const random = createRandomSource(seed);
  const renamed = (pod: PodRequest, i: number): PodRequest => ({ ...pod, name: `${pod.name}-${variant}-${i}` });
  switch (variant) {
    case 'cpu-heavier': {
      const cpuOnly = pods.filter((p) => p.gpuCount === 0);
      return [...pods, ...cpuOnly.map((_, i) => renamed(pick(cpuOnly, random), i))];
    }
    case 'more-sharing': {
      const sharing = pods.filter(isSharingPod);
      return pods.map((p, i) =>
        p.gpuCount === 1 && p.gpuMilli === 1000 && random() < 0.5 ? renamed(pick(sharing, random), i) : p,
      );
    }
    case 'more-multi-gpu': {
      const multi = pods.filter((p) => p.gpuCount > 1);
      return pods.map((p, i) => (p.gpuCount === 1 && random() < 0.2 ? renamed(pick(multi, random), i) : p));
    }
    case 'gpu-spec': {
      const gpusByModel = nodes.flatMap((n) => Array.from({ length: n.gpuCount }, () => n.gpuModel));
      return pods.map((p) => (p.gpuCount > 0 && random() < 1 / 3 ? { ...p, gpuSpec: [pick(gpusByModel, random)] } : p));
    }
  }
}
