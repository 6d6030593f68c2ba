import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contracts/config-error.ts';
import { pipelineConfigFromOptions } from './pipeline.ts';

const defaults = {
  group: 'gpu-ledger-ingest',
  members: '2',
  partitions: '1',
  batchRows: '200000',
  batchDelay: '250ms',
  fetchWait: '1s',
  metricsPort: '9464',
  metricsHost: '127.0.0.1',
  rollupInterval: '60s',
  gapsInterval: '60s',
  retentionInterval: '1h',
  ledgerInterval: '5m',
  maxGap: '60s',
  retainRaw: '14d',
  retainRollups: '13mo',
  retainLedger: '13mo',
  retainAudit: '13mo',
  rulesInterval: '15s',
  deliveryInterval: '5s',
};

describe('gpu-ledger pipeline flags', () => {
  it('turns the defaults into the runtime config', () => {
    const { runtime, metricsPort, ledgerIntervalMs } = pipelineConfigFromOptions(defaults);
    expect(metricsPort).toBe(9464);
    expect(ledgerIntervalMs).toBe(300_000);
    expect(pipelineConfigFromOptions({ ...defaults, ledgerInterval: 'off' }).ledgerIntervalMs).toBeNull();
    expect(pipelineConfigFromOptions(defaults)).toMatchObject({
      recommendIntervalMs: 3_600_000,
      hintsIntervalMs: 60_000,
    });
    expect(pipelineConfigFromOptions({ ...defaults, recommendInterval: 'off', hintsInterval: '30s' })).toMatchObject({
      recommendIntervalMs: null,
      hintsIntervalMs: 30_000,
    });
    expect(pipelineConfigFromOptions(defaults).alerting).toEqual({
      rulesIntervalMs: 15_000,
      deliveryIntervalMs: 5_000,
    });
    expect(pipelineConfigFromOptions({ ...defaults, rulesInterval: 'off' }).alerting).toBeNull();
    expect(runtime).toMatchObject({
      groupId: 'gpu-ledger-ingest',
      ingest: { members: 2, partitions: 1, batchesPerMember: 1, maxBatchRows: 200_000, maxBatchDelayMs: 250 },
      rollups: { intervalMs: 60_000, maxGapMs: 60_000 },
      telemetryGaps: { intervalMs: 60_000 },
      retention: {
        intervalMs: 3_600_000,
        policy: { maxAge: { raw: { unit: 'day', count: 14 }, rollup: { unit: 'month', count: 13 } } },
      },
    });
    expect(
      pipelineConfigFromOptions({ ...defaults, rollupInterval: 'off', retentionInterval: 'off' }).runtime,
    ).toMatchObject({ rollups: null, retention: null });
  });

  it('fetches from Kafka in whole, held-back fetches that the members hand over together', () => {
    const { runtime, fetch } = pipelineConfigFromOptions({
      ...defaults,
      members: '2',
      partitions: '8',
      fetchWait: '2s',
    });
    expect(runtime.ingest).toMatchObject({ members: 2, partitions: 8, batchesPerMember: 4 });
    expect(fetch.bus).toMatchObject({ partitionsConsumedConcurrently: 4, maxWaitTimeMs: 2000 });
    expect(pipelineConfigFromOptions({ ...defaults, fetchWait: '0ms' }).fetch.bus).toMatchObject({ minBytes: 1 });
  });

  it('lists every bad flag in one ConfigError', () => {
    let error: unknown;
    try {
      pipelineConfigFromOptions({
        ...defaults,
        members: '0',
        batchDelay: 'soon',
        fetchWait: 'later',
        retainRaw: '2w',
        metricsPort: '-1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      '--members must be an integer >= 1, got "0"',
      '--batch-delay: not a duration: "soon" (use e.g. 250ms, 30s, 15m, 2h, 7d)',
      '--fetch-wait: not a duration: "later" (use e.g. 250ms, 30s, 15m, 2h, 7d)',
      '--retain-raw: not a retention age: "2w" (use e.g. 14d, 13mo, 2y)',
      '--metrics-port must be an integer >= 0, got "-1"',
    ]);
  });
});
