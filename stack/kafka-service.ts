import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from './config.ts';
import { ensureKafkaJars } from './install.ts';
import { renderServerProperties } from './kafka-properties.ts';
import { probeKafka } from './kafka-probe.ts';
import { runTool } from './run-tool.ts';
import type { ServiceSpec } from './service-spec.ts';
import { STACK_ENV } from './config.ts';

/** Small heap, one GC thread, C1 only: fast start-up on a 2-core box (drop TieredStopAtLevel for load tests). */
const JVM_OPTS = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** The single-node KRaft broker, run straight from the Maven-resolved jars (`java -cp libs/* kafka.Kafka`). */
export function kafkaSpec(config: StackConfig): ServiceSpec {
  const k = config.kafka;
  const javaBase = [
    `-Dlog4j.configuration=file:${k.log4jFile}`,
    `-Dkafka.logs.dir=${config.logsDir}`,
    '-cp',
    path.join(k.libDir, '*'),
  ];
  return {
    name: 'kafka',
    label: 'Kafka',
    pidFile: k.pidFile,
    markers: ['kafka.Kafka', k.propertiesFile],
    ports: [
      { role: 'broker', port: k.port, envVar: STACK_ENV.kafkaPort },
      { role: 'controller', port: k.controllerPort, envVar: STACK_ENV.kafkaControllerPort },
    ],
    stdoutLog: k.stdoutLog,
    mainLog: k.serverLog,
    logFiles: [k.stdoutLog, k.serverLog],
    async prepare(log) {
      await ensureKafkaJars(config, log);
      await mkdir(k.dataDir, { recursive: true });
      await writeFile(k.propertiesFile, renderServerProperties(config));
      // Format once per run dir; the data (topics, offsets) survives down/up until `stack reset`.
      if (await exists(path.join(k.dataDir, 'meta.properties'))) return;
      log.info('formatting Kafka storage (KRaft, first start of this run dir)…');
      await runTool(
        'formatting Kafka storage',
        'java',
        [
          '-Xmx256m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          ...javaBase,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          k.clusterId,
          '-c',
          k.propertiesFile,
          '--ignore-formatted',
        ],
        { cwd: k.dir, timeoutMs: 120_000 },
      );
    },
    command: { file: 'java', args: [...JVM_OPTS, ...javaBase, 'kafka.Kafka', k.propertiesFile], cwd: k.dir },
    probe: () => probeKafka(config.endpoints.kafkaBrokers),
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
