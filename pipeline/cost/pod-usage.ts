/**
 * Busy time → used GPU-seconds per pod (pure). A whole GPU busy u% for t seconds used u/100 · t
 * GPU-seconds; a MIG instance's utilization is of the instance, so it counts its share of the parent
 * (mig-profiles.ts compute-slice rule, by the instance's profile). A MIG sample without a known
 * profile cannot be converted: it is left out and reported (the pod then shows as less efficient,
 * never as paying more: usage does not change who pays).
 */
import { migShare } from './mig-profiles.ts';
import type { PodUsage } from '../store/ledger-inputs-store.ts';
import type { PriceLookup } from './price-lookup.ts';

export const toUsedGpuSeconds = (
  usage: readonly PodUsage[],
  prices: Pick<PriceLookup, 'canonicalModel'>,
): { byPod: Map<string, number>; problems: string[] } => {
  const byPod = new Map<string, number>();
  const problems: string[] = [];
  for (const u of usage) {
    let share = 1;
    if (u.kind === 'mig') {
      try {
        if (u.migProfile === '') throw new Error('the samples name no MIG profile');
        share = migShare(prices.canonicalModel(u.model), u.migProfile);
      } catch (error) {
        problems.push(`pod ${u.podUid}: usage on ${u.model} MIG instances is not counted: ${(error as Error).message}`);
        continue;
      }
    }
    byPod.set(u.podUid, (byPod.get(u.podUid) ?? 0) + (u.busyPctMs / 100 / 1000) * share);
  }
  return { byPod, problems };
};
