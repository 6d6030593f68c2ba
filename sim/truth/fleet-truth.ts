/**
 * The truth of a simulated openb fleet over a window (sim/openb-fleet.ts): its nodes for their life,
 * its pods with their requests, and what each used from the series the fake nvidia-smi replays.
 */
import type { OpenbFleet, SimPod } from '../openb-fleet.ts';
import type { TruthPrices } from './catalog-prices.ts';
import { seriesPercentSeconds } from './series-usage.ts';
import { computeTruth, heldGpus, type TruthRequest, type WindowTruth } from './truth.ts';

export const simPodRequest = (p: SimPod): TruthRequest =>
  p.migProfile !== undefined
    ? { kind: 'mig', profile: p.migProfile }
    : p.milli < 1000
      ? { kind: 'milli', milli: p.milli }
      : { kind: 'whole', count: p.numGpu };

export function simFleetTruth(
  fleet: OpenbFleet,
  window: { readonly fromMs: number; readonly toMs: number },
  prices: TruthPrices,
  gentd26Dir: string,
): WindowTruth {
  const nodes = fleet.nodes.map((n) => ({
    name: n.name,
    productName: n.productName,
    gpus: n.gpuUuids.length,
    fromMs: n.joinMs ?? -Infinity,
    toMs: n.leaveMs ?? Infinity,
  }));
  const products = new Map(fleet.nodes.map((n) => [n.name, n.productName]));
  const pods = fleet.pods.map((p) => {
    const request = simPodRequest(p);
    // Each GPU it holds runs its series at its share of the GPU (a k-GPU pod runs it on each of its k GPUs).
    const perGpu = heldGpus(request, products.get(p.node) ?? '') / p.gpuIndexes.length;
    return {
      uid: p.uid,
      tenant: p.tenant,
      node: p.node,
      request,
      startMs: p.startMs,
      endMs: p.endMs,
      usedGpuSeconds: (a: number, b: number) =>
        (p.gpuIndexes.length *
          perGpu *
          seriesPercentSeconds(gentd26Dir, p.series, a - fleet.traceEpochMs, b - fleet.traceEpochMs)) /
        100,
    };
  });
  return computeTruth(window, nodes, pods, prices);
}
