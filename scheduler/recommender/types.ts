/**
 * The recommender's inputs and outputs (pure data). The job fetches them (recommender-job.ts),
 * each recommender (one file per kind, registry.ts) turns them into candidates, and the lifecycle
 * (reconcile.ts) turns candidates into stored recommendations.
 */
import type { PricingTier } from '../../contracts/cost-ledger-row.ts';
import type { GpuRequest } from '../../contracts/pod-event.ts';
import type { RecommendationKind } from '../../contracts/recommendation.ts';
import type { RecommendationContent } from '../../pipeline/store/recommendation-store.ts';
import type { PodUsage } from '../../pipeline/store/usage-profile-store.ts';
import type { PriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { RecommenderConfig } from './recommender-config.ts';

/**
 * What a workload's pods did on their GPUs over the lookback (the store's per-pod usage, combined over
 * its pods: workloads.ts). Utilization figures are null when its devices reported none (MIG instances
 * under nvidia-smi); a workload that ran no GPU process at all used nothing: 0.
 */
export type UsageSummary = Omit<PodUsage, 'cluster' | 'podUid' | 'utilizationMinutes'>;

/** One workload in its current shape (pods with the latest pod's request), over the lookback. */
export interface WorkloadObservation {
  readonly cluster: string;
  readonly namespace: string;
  /** Owner name with a Deployment's pod-template hash removed, or the bare pod's name (workload-key.ts). */
  readonly workload: string;
  readonly tenant: string;
  /** The latest pod, and where it runs. */
  readonly pod: string;
  readonly node: string;
  readonly podUids: readonly string[];
  readonly gpuRequest: GpuRequest;
  /** Canonical catalog model id, and the name the node reports. */
  readonly gpuModel: string;
  readonly reportedModel: string;
  readonly pricingTier: PricingTier;
  readonly pool: string | null;
  readonly instanceType: string | null;
  /** Catalog price of one GPU of gpuModel now (the node's tier, pool, instance type). */
  readonly priceUsdPerGpuHour: number;
  /** Memory of one of its GPUs as the node reports it; null when unreported. */
  readonly gpuMemoryBytes: number | null;
  /** Wall-clock hours at least one of its pods held GPUs in the lookback. */
  readonly observedHours: number;
  /** GPU-hours the cost ledger charged its pods in the lookback. */
  readonly allocatedGpuHours: number;
  /** A pod of it is still running now. */
  readonly running: boolean;
  readonly usage: UsageSummary;
}

/** One pod running on a node now, as placed on the node's GPUs. */
export interface NodePod {
  readonly podUid: string;
  readonly namespace: string;
  readonly pod: string;
  readonly gpuRequest: GpuRequest;
  /** GPUs held (the ledger's share: k, milli/1000, a MIG slice's share). */
  readonly share: number;
  /** MIG pods are not moved by consolidation (the target would need the same partitioning). */
  readonly movable: boolean;
}

/** One GPU node now: its GPUs' free capacity after the running pods, and its price. */
export interface NodeSnapshot {
  readonly cluster: string;
  readonly node: string;
  readonly gpuModel: string;
  readonly pricingTier: PricingTier;
  readonly priceUsdPerGpuHour: number | null;
  /** Free milli per GPU (1000 = a whole free GPU). */
  readonly freeMilli: readonly number[];
  readonly pods: readonly NodePod[];
  /** Part of the node's ledger cost over the lookback that was idle (no pod held it), 0..1; null when not priced. */
  readonly idleShare: number | null;
  /** Hours the ledger priced the node over the lookback. */
  readonly observedHours: number;
}

export interface RecommenderInput {
  readonly nowMs: number;
  readonly workloads: readonly WorkloadObservation[];
  readonly nodes: readonly NodeSnapshot[];
  readonly prices: PriceLookup;
  /** The price catalog's canonical model ids (cheaper-gpu's candidates). */
  readonly models: readonly string[];
  readonly config: RecommenderConfig;
}

/** A recommendation as a recommender finds it, before the lifecycle gives it an id and a status. */
export type Candidate = Omit<RecommendationContent, 'id' | 'createdAtMs' | 'computedAtMs'>;

/** One kind of recommendation: a stable kind and a pure compute. */
export interface Recommender {
  readonly kind: RecommendationKind;
  compute(input: RecommenderInput): Candidate[];
}
