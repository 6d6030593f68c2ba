/**
 * The fields of an allocation in OpenCost's published API document (docs/swagger.json of
 * opencost/opencost, the `/allocation/compute` 200 response, read by hand; the file is not copied
 * here) with their JSON types. `any` = the document gives no type (pvs, rawAllocationOnly).
 * `properties` lists the union of the properties its examples show.
 */
export const OPENCOST_ALLOCATION_FIELDS: Readonly<Record<string, 'number' | 'string' | 'object' | 'any'>> = {
  cpuCoreHours: 'number',
  cpuCoreRequestAverage: 'number',
  cpuCoreUsageAverage: 'number',
  cpuCores: 'number',
  cpuCost: 'number',
  cpuCostAdjustment: 'number',
  cpuEfficiency: 'number',
  end: 'string',
  externalCost: 'number',
  gpuCost: 'number',
  gpuCostAdjustment: 'number',
  gpuCount: 'number',
  gpuHours: 'number',
  loadBalancerCost: 'number',
  loadBalancerCostAdjustment: 'number',
  minutes: 'number',
  name: 'string',
  networkCost: 'number',
  networkCostAdjustment: 'number',
  networkReceiveBytes: 'number',
  networkTransferBytes: 'number',
  properties: 'object',
  pvByteHours: 'number',
  pvBytes: 'number',
  pvCost: 'number',
  pvCostAdjustment: 'number',
  pvs: 'any',
  ramByteHours: 'number',
  ramByteRequestAverage: 'number',
  ramByteUsageAverage: 'number',
  ramBytes: 'number',
  ramCost: 'number',
  ramCostAdjustment: 'number',
  ramEfficiency: 'number',
  rawAllocationOnly: 'any',
  sharedCost: 'number',
  start: 'string',
  totalCost: 'number',
  totalEfficiency: 'number',
  window: 'object',
};

/** `window`'s fields, and the properties the document names (all strings). */
export const OPENCOST_WINDOW_FIELDS = ['start', 'end'] as const;
export const OPENCOST_PROPERTY_FIELDS = [
  'cluster',
  'node',
  'controller',
  'pod',
  'providerID',
  'namespace',
  'controllerKind',
] as const;
/** The response envelope: `{ code: integer, status: string, data: [ { <name>: allocation } ] }`. */
export const OPENCOST_ENVELOPE = { code: 'number', status: 'string', data: 'object' } as const;
