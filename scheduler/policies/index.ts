import type { PlacementPolicy } from '../policy.ts';
import { bestFitPolicy } from './best-fit.ts';
import { dotProductPolicy } from './dot-product.ts';
import { fgdPolicy } from './fgd.ts';
import { gpuLedgerPolicy } from './gpu-ledger.ts';
import { gpuClusteringPolicy } from './gpu-clustering.ts';
import { gpuPackingPolicy } from './gpu-packing.ts';
import { randomPolicy } from './random.ts';

/** Every placement policy by id: the simulator's, the bench's and the extender's one registry. */
export const POLICIES: Readonly<Record<string, PlacementPolicy>> = Object.fromEntries(
  [
    randomPolicy,
    dotProductPolicy,
    gpuClusteringPolicy,
    gpuPackingPolicy,
    bestFitPolicy,
    fgdPolicy,
    gpuLedgerPolicy,
  ].map((p) => [p.id, p]),
);
