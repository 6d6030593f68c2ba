import type { Logger } from 'pino';
import { pino } from 'pino';

/** Where the integration tests find the real services that `gpu-ledger stack up` started. */
export function loadTestServices(env: NodeJS.ProcessEnv) {
  return Object.freeze({
    kafkaBrokers: (env['GPU_LEDGER_KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(','),
    clickhouseUrl: env['GPU_LEDGER_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:18123',
  });
}

/** Quiet logger for tests: warnings and errors only, so CI output stays readable. */
export const testLogger = (name: string): Logger => pino({ name, level: 'warn' });
