import { describe, expect, it } from 'vitest';
import { parseCostGroupKeys } from './cost-report.ts';

describe('parseCostGroupKeys', () => {
  it('accepts the dimensions and Kubernetes label keys', () => {
    expect(parseCostGroupKeys('namespace, tenant,label:team,label:app.kubernetes.io/name')).toEqual([
      'namespace',
      'tenant',
      'label:team',
      'label:app.kubernetes.io/name',
    ]);
    expect(parseCostGroupKeys('')).toEqual([]);
  });

  it('names every bad key at once', () => {
    expect(() => parseCostGroupKeys("tenants,label:,label:x') OR 1=1,node")).toThrow(
      /unknown grouping "tenants", "label:", "label:x'\) OR 1=1"/,
    );
    expect(() => parseCostGroupKeys('node,node')).toThrow(/twice/);
  });
});
