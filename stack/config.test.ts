import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../contracts/config-error.ts';
import { loadStackConfig } from './config.ts';

describe('loadStackConfig', () => {
  it('defaults: run dir under the repo, fixed ports, 127.0.0.1 endpoints', () => {
    const config = loadStackConfig({});
    expect(config.runDir).toBe(path.join(config.repoRoot, '.run', 'stack'));
    expect(config.host).toBe('127.0.0.1');
    expect([
      config.kafka.port,
      config.kafka.controllerPort,
      config.clickhouse.httpPort,
      config.clickhouse.tcpPort,
      config.alertmanager.port,
    ]).toEqual([19092, 19093, 18123, 19000, 19095]);
    expect(config.endpoints).toEqual({
      kafkaBrokers: ['127.0.0.1:19092'],
      clickhouseUrl: 'http://127.0.0.1:18123',
      alertmanagerUrl: 'http://127.0.0.1:19095',
    });
    expect(config.healthTimeoutMs).toBe(120_000);
    expect(
      Object.isFrozen(config) && Object.isFrozen(config.kafka) && Object.isFrozen(config.endpoints.kafkaBrokers),
    ).toBe(true);
  });

  it('takes ports and the run dir from env', () => {
    const config = loadStackConfig({
      GPU_LEDGER_RUN_DIR: '/tmp/x-stack',
      GPU_LEDGER_KAFKA_PORT: '29092',
      GPU_LEDGER_KAFKA_CONTROLLER_PORT: '29093',
      GPU_LEDGER_CLICKHOUSE_HTTP_PORT: '28124',
      GPU_LEDGER_CLICKHOUSE_TCP_PORT: '29001',
      GPU_LEDGER_ALERTMANAGER_PORT: '29095',
      GPU_LEDGER_STACK_TIMEOUT_S: '5',
    });
    expect(config.runDir).toBe('/tmp/x-stack');
    expect(config.kafka.dataDir).toBe('/tmp/x-stack/kafka/data');
    expect(config.alertmanager.dataDir).toBe('/tmp/x-stack/alertmanager/data');
    expect(config.endpoints).toEqual({
      kafkaBrokers: ['127.0.0.1:29092'],
      clickhouseUrl: 'http://127.0.0.1:28124',
      alertmanagerUrl: 'http://127.0.0.1:29095',
    });
    expect(config.healthTimeoutMs).toBe(5_000);
  });

  it('lists every problem in one ConfigError', () => {
    let error: unknown;
    try {
      loadStackConfig({
        GPU_LEDGER_RUN_DIR: '/',
        GPU_LEDGER_KAFKA_PORT: 'abc',
        GPU_LEDGER_CLICKHOUSE_HTTP_PORT: '70000',
        GPU_LEDGER_CLICKHOUSE_TCP_PORT: '19093',
        GPU_LEDGER_STACK_TIMEOUT_S: '-1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(
      /GPU_LEDGER_RUN_DIR[\s\S]*GPU_LEDGER_KAFKA_PORT="abc"[\s\S]*GPU_LEDGER_CLICKHOUSE_HTTP_PORT="70000"[\s\S]*GPU_LEDGER_STACK_TIMEOUT_S[\s\S]*GPU_LEDGER_CLICKHOUSE_TCP_PORT and GPU_LEDGER_KAFKA_CONTROLLER_PORT are both 19093/,
    );
  });
});
