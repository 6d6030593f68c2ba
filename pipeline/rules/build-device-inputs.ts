/**
 * Store rows → the rules' device inputs (pure): each device's samples in time order, and for every
 * pod bound to a device the device's utilization while bound, priced with the cost ledger's terms.
 *
 * A pod is bound to a device at a sample when (a) it had a process on that very device in the same
 * batch (the GPU's UUID; nvidia-smi names a MIG instance's processes by the parent GPU, so those
 * bind to no instance), or (b) its allocation names the device (pod events' `gpuUuids`, from the
 * device plugin) and covers the sample's time: a pod that holds a GPU without running on it is idle
 * too. Its share of the device: requestShare (gpu-share.ts) per device it holds; its price: the
 * device's model in the catalog at the node's pricing tier (cost-config.ts nodePricingFor). Tenant:
 * resolveAttribution (tenancy.ts), as the ledger does.
 */
import { UNALLOCATED } from '../../contracts/cost-ledger-row.ts';
import { nodePricingFor, type CostConfig } from '../cost/cost-config.ts';
import { requestShare } from '../cost/gpu-share.ts';
import type { PodInterval } from '../cost/pod-intervals.ts';
import type { PriceLookup } from '../cost/price-lookup.ts';
import { resolveAttribution } from '../cost/tenancy.ts';
import type { ProcessPodsRow, SampleRow } from '../store/rule-inputs-store.ts';
import type { DeviceSeries, PodDeviceSeries } from './rule-inputs.ts';

export interface DevicePricing {
  readonly prices: PriceLookup;
  readonly cost: CostConfig;
}

/** GPUs of one device a request holds: whole → 1, a fraction → milli/1000, MIG → the profile's share of the parent. */
export function sharePerDevice(pod: PodInterval, model: string, prices: PriceLookup): number | null {
  const r = pod.gpuRequest;
  if (r.kind === 'none') return null;
  try {
    const units = r.kind === 'fraction' ? 1 : r.count;
    return requestShare(r, prices.canonicalModel(model)) / units;
  } catch {
    return null; // unknown model or MIG profile: the alert says so by carrying no $
  }
}

function usdPerGpuHour(d: DevicePricing, model: string, node: string, atMs: number): number | null {
  try {
    const p = nodePricingFor(d.cost.nodePricing, node);
    return d.prices.priceAt({ gpuModel: model, tier: p.pricingTier, pool: p.pool, instanceType: p.instanceType }, atMs)
      .usdPerGpuHour;
  } catch {
    return null;
  }
}

export function buildDeviceInputs(
  samples: readonly SampleRow[],
  processPods: readonly ProcessPodsRow[],
  podsByCluster: ReadonlyMap<string, readonly PodInterval[]>,
  pricing: DevicePricing | null,
): { devices: DeviceSeries[]; podDevices: PodDeviceSeries[] } {
  const processIndex = new Map(
    processPods.map((p) => [`${p.agentId}\n${p.bootId}\n${p.seq}\n${p.gpuUuid}`, p.podUids]),
  );
  const pods = new Map<string, PodInterval>();
  const allocated = new Map<string, PodInterval[]>(); // cluster + node + device → pods whose allocation names it
  for (const [cluster, list] of podsByCluster)
    for (const p of list) {
      pods.set(`${cluster}\n${p.podUid}`, p);
      for (const g of p.gpuUuids) {
        const key = `${cluster}\n${p.node}\n${g}`;
        const holders = allocated.get(key);
        if (holders) holders.push(p);
        else allocated.set(key, [p]);
      }
    }

  const devices = new Map<string, { series: DeviceSeries; rows: SampleRow[] }>();
  for (const s of samples) {
    const key = `${s.cluster}\n${s.node}\n${s.device}`;
    const d = devices.get(key);
    if (d) d.rows.push(s);
    else
      devices.set(key, {
        series: {
          cluster: s.cluster,
          node: s.node,
          gpuUuid: s.device,
          model: s.model,
          migProfile: s.migProfile,
          samples: [],
        },
        rows: [s],
      });
  }

  const outDevices: DeviceSeries[] = [];
  const outPods: PodDeviceSeries[] = [];
  for (const { series, rows } of devices.values()) {
    rows.sort((a, b) => a.tsMs - b.tsMs || a.seq - b.seq);
    const unique = rows.filter((r, i) => i === 0 || r.tsMs !== rows[i - 1]!.tsMs);
    outDevices.push({
      ...series,
      samples: unique.map(
        ({
          cluster: _c,
          node: _n,
          device: _d,
          model: _m,
          migProfile: _p,
          agentId: _a,
          bootId: _b,
          seq: _s,
          ...sample
        }) => sample,
      ),
    });
    const byPod = new Map<string, { tsMs: number; utilizationPct: number | null }[]>();
    const holders = allocated.get(`${series.cluster}\n${series.node}\n${series.gpuUuid}`) ?? [];
    for (const r of unique) {
      const bound = new Set(processIndex.get(`${r.agentId}\n${r.bootId}\n${r.seq}\n${r.device}`) ?? []);
      for (const p of holders) if (p.startMs <= r.tsMs && r.tsMs < p.endMs) bound.add(p.podUid);
      for (const uid of bound) {
        const list = byPod.get(uid);
        const point = { tsMs: r.tsMs, utilizationPct: r.utilizationPct };
        if (list) list.push(point);
        else byPod.set(uid, [point]);
      }
    }
    const lastTs = unique[unique.length - 1]?.tsMs ?? 0;
    for (const [podUid, points] of byPod) {
      const pod = pods.get(`${series.cluster}\n${podUid}`);
      const share = pod === undefined || pricing === null ? null : sharePerDevice(pod, series.model, pricing.prices);
      const price = pricing === null ? null : usdPerGpuHour(pricing, series.model, series.node, lastTs);
      outPods.push({
        cluster: series.cluster,
        node: series.node,
        gpuUuid: series.gpuUuid,
        podUid,
        namespace: pod?.namespace ?? '',
        pod: pod?.pod ?? podUid,
        tenant:
          pod === undefined
            ? UNALLOCATED
            : resolveAttribution(pod.namespace, pod.labels, pod.owner, pricing?.cost.ledger.tenancy ?? {}).tenant,
        share,
        usdPerHour: share === null || price === null ? null : share * price,
        samples: points,
      });
    }
  }
  return { devices: outDevices, podDevices: outPods };
}
