import type { StackConfig } from './config.ts';
import type { ServiceName, StackLogger } from './types.ts';
import { alertmanagerSpec } from './alertmanager-service.ts';
import { clickhouseSpec } from './clickhouse-service.ts';
import { kafkaSpec } from './kafka-service.ts';

/** One port a service binds, with the env var that moves it. */
export interface ServicePort {
  readonly role: string;
  readonly port: number;
  readonly envVar: string;
}

/** Everything the process manager needs to know about one service. Built from config; no I/O until called. */
export interface ServiceSpec {
  readonly name: ServiceName;
  /** Human name for progress lines and errors ("Kafka", "ClickHouse", "Alertmanager"). */
  readonly label: string;
  readonly pidFile: string;
  /** Arguments that must all appear in /proc/<pid>/cmdline for a pid to count as ours. */
  readonly markers: readonly string[];
  /** The first port is the one clients use. */
  readonly ports: readonly ServicePort[];
  /** stdout+stderr of the process go here (appended). */
  readonly stdoutLog: string;
  /** The service's own log (what `stack status` points at). */
  readonly mainLog: string;
  /** Files whose tail explains a failed start. */
  readonly logFiles: readonly string[];
  /** Installs what is missing, renders config files, formats storage. Idempotent. */
  prepare(log: StackLogger): Promise<void>;
  readonly command: { readonly file: string; readonly args: readonly string[]; readonly cwd: string };
  /** One quick health probe: true when the service answers. Never throws. */
  probe(): Promise<boolean>;
}

export function serviceSpec(config: StackConfig, name: ServiceName): ServiceSpec {
  switch (name) {
    case 'kafka':
      return kafkaSpec(config);
    case 'clickhouse':
      return clickhouseSpec(config);
    case 'alertmanager':
      return alertmanagerSpec(config);
  }
}
