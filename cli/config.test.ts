import { describe, expect, it } from 'vitest';
import { ConfigError } from '../contracts/config-error.ts';
import { loadConfig } from './config.ts';

const load = (env: NodeJS.ProcessEnv) => loadConfig(env, '/srv');

describe('loadConfig: Kafka security', () => {
  it('is plaintext without SASL and leaves the replication factor to the brokers by default', () => {
    expect(load({})).toMatchObject({ kafkaSecurity: { tls: false, sasl: null }, kafkaReplicationFactor: null });
  });

  it('reads TLS, SASL and the replication factor', () => {
    const config = load({
      GPU_LEDGER_KAFKA_TLS: 'true',
      GPU_LEDGER_KAFKA_SASL_MECHANISM: 'scram-sha-256',
      GPU_LEDGER_KAFKA_SASL_USERNAME: 'ledger',
      GPU_LEDGER_KAFKA_SASL_PASSWORD: ' s3cret ',
      GPU_LEDGER_KAFKA_REPLICATION_FACTOR: '3',
    });
    expect(config.kafkaSecurity).toEqual({
      tls: true,
      sasl: { mechanism: 'scram-sha-256', username: 'ledger', password: ' s3cret ' },
    });
    expect(config.kafkaReplicationFactor).toBe(3);
  });

  it('lists every bad setting once, and never echoes the password', () => {
    let error: unknown;
    try {
      load({
        GPU_LEDGER_KAFKA_TLS: 'yes',
        GPU_LEDGER_KAFKA_SASL_MECHANISM: 'gssapi',
        GPU_LEDGER_KAFKA_SASL_PASSWORD: 'hunter2',
        GPU_LEDGER_KAFKA_REPLICATION_FACTOR: '0',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const expected of [
      'GPU_LEDGER_KAFKA_TLS must be true or false, got "yes"',
      'GPU_LEDGER_KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"',
      'GPU_LEDGER_KAFKA_SASL_USERNAME is required with GPU_LEDGER_KAFKA_SASL_MECHANISM',
      'GPU_LEDGER_KAFKA_REPLICATION_FACTOR must be a positive integer, got "0"',
    ])
      expect(message).toContain(expected);
    expect(message).not.toContain('hunter2');
  });
});
