import { access, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from './config.ts';
import { runTool } from './run-tool.ts';
import { StackError } from './stack-error.ts';
import type { StackLogger } from './types.ts';

/** Debian's hook that invoke-rc.d consults; exit 101 = "do not start services". */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * Installs Debian packages when `binary` is missing. Package postinst scripts run `invoke-rc.d <service>
 * start`, which would start a system-wide server (clickhouse-server on 8123/9000, Alertmanager on
 * 9093) and fail the install where no init works: a temporary policy-rc.d that answers 101 turns
 * that into a no-op. We run our own servers with our own configs instead.
 */
export async function ensureDebianPackages(
  binary: string,
  packages: readonly string[],
  step: string,
  log: StackLogger,
): Promise<void> {
  if (await exists(binary)) return;
  if (process.getuid?.() !== 0) {
    throw new StackError(
      step,
      `${binary} is missing and installing it needs root: run \`apt-get install -y ${packages.join(' ')}\` as root, then retry`,
    );
  }
  log.info(`${step}… (apt-get update + install, ~1 min)`);
  const started = Date.now();
  const ownPolicy = !(await exists(POLICY_RC_D));
  if (ownPolicy)
    await writeFile(
      POLICY_RC_D,
      '#!/bin/sh\n# temporary, written by gpu-ledger stack: do not start services during apt-get install\nexit 101\n',
      { mode: 0o755 },
    );
  try {
    await runTool('apt-get update', 'apt-get', ['-q', 'update'], { timeoutMs: 300_000 });
    await runTool(
      step,
      'env',
      [
        'DEBIAN_FRONTEND=noninteractive',
        'apt-get',
        'install',
        '-y',
        '-q',
        '--no-install-recommends',
        '-o',
        'DPkg::Lock::Timeout=120',
        ...packages,
      ],
      { timeoutMs: 900_000 },
    );
  } finally {
    if (ownPolicy) await rm(POLICY_RC_D, { force: true });
  }
  if (!(await exists(binary))) throw new StackError(step, `apt-get finished but ${binary} is still missing`);
  log.info(`${step}… ok in ${seconds(started)}`);
}

/** Debian's clickhouse-server/-client (18.16) when `serverBin` is missing. */
export const ensureClickHouseInstalled = (serverBin: string, log: StackLogger): Promise<void> =>
  ensureDebianPackages(
    serverBin,
    ['clickhouse-server', 'clickhouse-client'],
    'installing clickhouse-server from Debian',
    log,
  );

/**
 * Resolves the broker's jars from Maven Central into infra/kafka/target/kafka-libs when they are
 * not there yet (first run downloads ~80 MB into ~/.m2). Needs `java` and `mvn` on PATH.
 */
export async function ensureKafkaJars(config: StackConfig, log: StackLogger): Promise<void> {
  const { libDir, pomFile } = config.kafka;
  if (await hasKafkaJar(libDir)) return;
  await runTool('checking for Java (needed to run Kafka)', 'java', ['-version'], { timeoutMs: 30_000 });
  const step = 'resolving Kafka jars with Maven';
  log.info(`${step} (first run ~80 MB)…`);
  const started = Date.now();
  await runTool(step, 'mvn', ['-B', '-q', '-Dstyle.color=never', '-f', pomFile, 'package'], {
    cwd: path.dirname(pomFile),
    timeoutMs: 1_200_000,
  });
  if (!(await hasKafkaJar(libDir)))
    throw new StackError(step, `mvn succeeded but ${libDir} has no kafka_2.13 jar; check ${pomFile}`);
  // A second SLF4J binding only warns, but the recipe says to keep logback out of the broker's classpath.
  for (const jar of (await readdir(libDir)).filter((name) => name.startsWith('logback-'))) {
    log.warn(`removing stray ${jar} from ${libDir}`);
    await rm(path.join(libDir, jar), { force: true });
  }
  log.info(`${step}… ok in ${seconds(started)}`);
}

async function hasKafkaJar(libDir: string): Promise<boolean> {
  try {
    return (await readdir(libDir)).some((name) => name.startsWith('kafka_2.13-') && name.endsWith('.jar'));
  } catch {
    return false;
  }
}

const seconds = (sinceMs: number): string => `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
