import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import { DEFAULT_COST_CONFIG, nodePricingFor, parseCostConfig } from './cost-config.ts';

describe('cost config', () => {
  it('defaults: separate idle, on-demand nodes, no tenants mapped', () => {
    expect(DEFAULT_COST_CONFIG.ledger).toMatchObject({
      idleSharing: 'separate',
      sharedNamespaces: [],
      tenancy: { namespaceTenants: {}, tenantLabel: 'tenant' },
    });
    expect(nodePricingFor(DEFAULT_COST_CONFIG.nodePricing, 'gpu-1')).toEqual({
      pricingTier: 'on-demand',
      pool: null,
      instanceType: null,
    });
  });

  it('prices nodes by the first matching glob', () => {
    const config = parseCostConfig(
      `nodePricing:
  defaultTier: committed
  rules:
    - { match: "spot-*", pricingTier: spot, pool: gpu-spot }
    - { match: "p5.?x-*", pricingTier: on-demand, instanceType: p5.48xlarge }
    - { match: "*", pricingTier: on-prem }`,
      'c.yaml',
    );
    expect(nodePricingFor(config.nodePricing, 'spot-a')).toEqual({
      pricingTier: 'spot',
      pool: 'gpu-spot',
      instanceType: null,
    });
    expect(nodePricingFor(config.nodePricing, 'p5.4x-1')).toMatchObject({
      pricingTier: 'on-demand',
      instanceType: 'p5.48xlarge',
    });
    expect(nodePricingFor(config.nodePricing, 'p5a4x-1').pricingTier).toBe('on-prem'); // '.' is literal
  });

  it('lists every problem with its path in one ConfigError', () => {
    const error = (() => {
      try {
        parseCostConfig(
          'idleSharing: everywhere\nnodePricing: { rules: [{ match: "", pricingTier: cheap }] }\ncolour: red',
          'c.yaml',
        );
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const path of [
      'c.yaml: idleSharing',
      'c.yaml: nodePricing.rules.0.match',
      'c.yaml: nodePricing.rules.0.pricingTier',
      'colour',
    ])
      expect(text).toContain(path);
  });
});
