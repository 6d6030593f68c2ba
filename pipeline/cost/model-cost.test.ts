import { describe, expect, it } from 'vitest';
import { UNALLOCATED } from '../../contracts/cost-ledger-row.ts';
import type { ModelTokens, PodCost } from '../store/cost-store.ts';
import { computeModelCost } from './model-cost.ts';

const cost = (podUid: string, tenant: string, costUsd: number): PodCost => ({
  cluster: 'c1',
  podUid,
  tenant,
  costUsd,
  allocatedGpuSeconds: 0,
});
const tokens = (
  podUid: string,
  model: string,
  promptTokens: number,
  generationTokens: number,
  requests = 0,
): ModelTokens => ({ cluster: 'c1', podUid, model, promptTokens, generationTokens, requests });

describe('computeModelCost', () => {
  it('splits a multi-model pod by tokens and a multi-tenant pod by cost; $/1M over the whole cost', () => {
    const { perTenant, perModel } = computeModelCost(
      [cost('p1', 'acme', 30), cost('p1', 'globex', 10), cost('p2', 'acme', 8)],
      [
        tokens('p1', 'llama', 3_000_000, 1_000_000),
        tokens('p1', 'mistral', 1_000_000, 1_000_000),
        tokens('p2', 'llama', 2_000_000, 2_000_000),
      ],
    );
    // p1 = $40: llama 4M of 6M tokens = $26.67 (acme 3/4, globex 1/4), mistral $13.33; p2 llama $8 (acme).
    const llama = perModel.find((r) => r.model === 'llama');
    expect(llama).toMatchObject({ pods: 2, promptTokens: 5_000_000, generationTokens: 3_000_000, costKnown: true });
    expect(llama?.costUsd).toBeCloseTo(40 * (4 / 6) + 8, 9);
    expect(llama?.usdPerMillionPromptTokens).toBeCloseTo((40 * (4 / 6) + 8) / 5, 9);
    expect(llama?.usdPerMillionGenerationTokens).toBeCloseTo((40 * (4 / 6) + 8) / 3, 9);
    const globexLlama = perTenant.find((r) => r.model === 'llama' && r.tenant === 'globex');
    expect(globexLlama?.costUsd).toBeCloseTo(40 * (4 / 6) * 0.25, 9);
    expect(globexLlama?.promptTokens).toBeCloseTo(750_000, 6);
    const sum = perTenant.reduce((s, r) => s + r.costUsd, 0);
    expect(sum).toBeCloseTo(48, 9);
  });

  it('splits by requests without tokens, equally without either; unknown pods keep tokens but no cost', () => {
    const { perModel } = computeModelCost(
      [cost('p1', 'acme', 9), cost('p2', 'acme', 4)],
      [
        tokens('p1', 'resnet', 0, 0, 200),
        tokens('p1', 'bert', 0, 0, 100),
        tokens('p2', 'a', 0, 0),
        tokens('p2', 'b', 0, 0),
        tokens('', 'llama', 10, 5),
        tokens('gone', 'llama', 10, 5),
      ],
    );
    const usd = Object.fromEntries(perModel.map((r) => [`${r.model}:${r.costKnown}`, r.costUsd]));
    expect(usd).toEqual({ 'resnet:true': 6, 'bert:true': 3, 'a:true': 2, 'b:true': 2, 'llama:false': 0 });
    expect(perModel.find((r) => r.model === 'llama')).toMatchObject({
      tenant: null,
      pods: 2,
      promptTokens: 20,
      usdPerMillionPromptTokens: null,
    });
    expect(perModel.find((r) => r.model === 'resnet')?.usdPerMillionPromptTokens).toBeNull();
    expect(computeModelCost([], [tokens('', 'llama', 1, 1)]).perTenant[0]?.tenant).toBe(UNALLOCATED);
  });
});
