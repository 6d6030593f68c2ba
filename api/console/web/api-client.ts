/** The console's calls to the API with the caller's token (kept in sessionStorage, never in a cookie). */

const KEY = 'gpu-ledger-token';

export const storedToken = (): string | null => sessionStorage.getItem(KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(KEY);

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function apiGet<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${storedToken() ?? ''}` } });
  const body = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new ApiCallError(res.status, `${path}: ${res.status} ${body.message ?? ''}`);
  return body;
}

/** An allocation as the console reads it (a subset of the API's OpenCost-compatible fields). */
export interface Allocation {
  readonly name: string;
  readonly start: string;
  readonly gpuHours: number;
  readonly gpuUsedHours: number;
  readonly gpuCost: number;
  readonly gpuWasteCost: number;
  readonly idleCost: number;
  readonly totalCost: number;
  readonly gpuEfficiency: number;
}

export type AllocationSets = Record<string, Allocation>[];

export const allocation = async (query: string): Promise<AllocationSets> =>
  (await apiGet<{ data: AllocationSets }>(`/v1/allocation?${query}`)).data;
