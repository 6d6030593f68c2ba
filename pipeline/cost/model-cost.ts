/**
 * Model cost: what serving each model cost, per tenant, and per 1M prompt / generated tokens.
 *
 * - Cost: the ledger cost of the pods serving the model (model_server_samples.pod_uid = the ledger's
 *   pod_uid, same cluster) over the range's whole windows; idle is not included.
 * - Tokens: the model-server samples' deltas with observedAtMs in (fromMs, toMs] (a sample covers
 *   the scrape window ending at observedAtMs), replayed samples counted once.
 * - A pod serving several models splits its cost by their share of its tokens (prompt + generated),
 *   by requests when it has no tokens, equally when it has neither.
 * - A pod whose cost is split over tenants (shared namespaces) splits its tokens the same way.
 * - $/1M tokens = cost / tokens × 1e6, each over the WHOLE cost (prompt and generation are not
 *   priced separately); null when there are no tokens. Tokens of pods with no ledger cost (pod
 *   unknown, not a GPU pod, outside the ledger) are reported with costKnown false and no $/1M.
 */
import { UNALLOCATED } from '../../contracts/cost-ledger-row.ts';
import type { CostRange, CostStore, ModelTokens, PodCost } from '../store/cost-store.ts';

export interface ModelCostRow {
  readonly model: string;
  /** null: all tenants together. */
  readonly tenant: string | null;
  readonly costKnown: boolean;
  readonly pods: number;
  readonly costUsd: number;
  readonly requests: number;
  readonly promptTokens: number;
  readonly generationTokens: number;
  readonly usdPerMillionPromptTokens: number | null;
  readonly usdPerMillionGenerationTokens: number | null;
}

interface Acc {
  model: string;
  tenant: string | null;
  costKnown: boolean;
  pods: Set<string>;
  costUsd: number;
  requests: number;
  promptTokens: number;
  generationTokens: number;
}

const byPod = <T extends { readonly cluster: string; readonly podUid: string }>(
  items: readonly T[],
): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const key = JSON.stringify([item.cluster, item.podUid]);
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  }
  return map;
};

const perMillion = (usd: number, tokens: number): number | null => (tokens > 0 ? (usd / tokens) * 1e6 : null);

const finish = (accs: Iterable<Acc>): ModelCostRow[] =>
  [...accs]
    .map((a) => ({
      model: a.model,
      tenant: a.tenant,
      costKnown: a.costKnown,
      pods: a.pods.size,
      costUsd: a.costUsd,
      requests: a.requests,
      promptTokens: a.promptTokens,
      generationTokens: a.generationTokens,
      usdPerMillionPromptTokens: a.costKnown ? perMillion(a.costUsd, a.promptTokens) : null,
      usdPerMillionGenerationTokens: a.costKnown ? perMillion(a.costUsd, a.generationTokens) : null,
    }))
    .sort(
      (a, b) =>
        b.costUsd - a.costUsd || a.model.localeCompare(b.model) || (a.tenant ?? '').localeCompare(b.tenant ?? ''),
    );

/** Pure: joins pod costs with model tokens. */
export const computeModelCost = (
  podCosts: readonly PodCost[],
  tokens: readonly ModelTokens[],
): { perTenant: ModelCostRow[]; perModel: ModelCostRow[] } => {
  const costsByPod = byPod(podCosts);
  const modelsByPod = byPod(tokens);

  const perTenant = new Map<string, Acc>();
  const perModel = new Map<string, Acc>();
  const add = (
    map: Map<string, Acc>,
    model: string,
    tenant: string | null,
    costKnown: boolean,
    pod: string,
    part: { costUsd: number; requests: number; prompt: number; generation: number },
  ) => {
    const key = JSON.stringify([model, tenant, costKnown]);
    const acc = map.get(key) ?? {
      model,
      tenant,
      costKnown,
      pods: new Set<string>(),
      costUsd: 0,
      requests: 0,
      promptTokens: 0,
      generationTokens: 0,
    };
    acc.pods.add(pod);
    acc.costUsd += part.costUsd;
    acc.requests += part.requests;
    acc.promptTokens += part.prompt;
    acc.generationTokens += part.generation;
    map.set(key, acc);
  };

  for (const [pod, served] of modelsByPod) {
    const costs = costsByPod.get(pod) ?? [];
    const podCostUsd = costs.reduce((s, c) => s + c.costUsd, 0);
    const tokensOf = (t: ModelTokens) => t.promptTokens + t.generationTokens;
    const weight = served.some((t) => tokensOf(t) > 0)
      ? tokensOf
      : served.some((t) => t.requests > 0)
        ? (t: ModelTokens) => t.requests
        : () => 1;
    const totalWeight = served.reduce((s, t) => s + weight(t), 0);
    // No ledger cost: one "cost unknown" share holding all tokens.
    const tenants =
      costs.length === 0
        ? [{ tenant: UNALLOCATED, f: 1 }]
        : costs.map((c) => ({ tenant: c.tenant, f: podCostUsd > 0 ? c.costUsd / podCostUsd : 1 / costs.length }));
    const costKnown = costs.length > 0;
    for (const t of served) {
      const m = weight(t) / totalWeight;
      for (const { tenant, f } of tenants) {
        const part = {
          costUsd: podCostUsd * m * f,
          requests: t.requests * f,
          prompt: t.promptTokens * f,
          generation: t.generationTokens * f,
        };
        add(perTenant, t.model, tenant, costKnown, pod, part);
        add(perModel, t.model, null, costKnown, pod, part);
      }
    }
  }
  return { perTenant: finish(perTenant.values()), perModel: finish(perModel.values()) };
};

export async function modelCost(
  store: CostStore,
  range: CostRange,
): Promise<{ perTenant: ModelCostRow[]; perModel: ModelCostRow[] }> {
  const [podCosts, tokens] = await Promise.all([store.podCosts(range), store.modelTokens(range)]);
  return computeModelCost(podCosts, tokens);
}
