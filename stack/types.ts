import type { Logger } from 'pino';

/** The services of the local stack, as an `as const` list plus its union type. */
export const SERVICE_NAMES = ['kafka', 'clickhouse', 'alertmanager'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const isServiceName = (value: string): value is ServiceName =>
  (SERVICE_NAMES as readonly string[]).includes(value);

/** The part of a pino logger the stack uses; a child logger or a test fake fits. */
export type StackLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** What `stack status` reports for one service. `pid` is only ever a pid from OUR pid file. */
export interface ServiceStatus {
  readonly name: ServiceName;
  readonly state: 'running' | 'stopped';
  readonly pid: number | null;
  /** The port clients use (Kafka broker / ClickHouse HTTP / Alertmanager web). */
  readonly port: number;
  /** Every port the service listens on, by role. */
  readonly ports: Readonly<Record<string, number>>;
  readonly healthy: boolean;
  /** The service's own log file (look here first when it is unhealthy). */
  readonly logFile: string;
}

export interface StackStatus {
  readonly runDir: string;
  readonly services: Readonly<Record<ServiceName, ServiceStatus>>;
  readonly healthy: boolean;
}
