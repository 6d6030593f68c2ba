import { writeClickHouseFiles } from './clickhouse-files.ts';
import { probeClickHouse } from './clickhouse-probe.ts';
import type { StackConfig } from './config.ts';
import { STACK_ENV } from './config.ts';
import { ensureClickHouseInstalled } from './install.ts';
import type { ServiceSpec } from './service-spec.ts';

/** The Debian clickhouse-server 18.16 with a project-local config (loopback only, data under the run dir). */
export function clickhouseSpec(config: StackConfig): ServiceSpec {
  const ch = config.clickhouse;
  const configArg = `--config-file=${ch.configFile}`;
  return {
    name: 'clickhouse',
    label: 'ClickHouse',
    pidFile: ch.pidFile,
    markers: [configArg],
    ports: [
      { role: 'http', port: ch.httpPort, envVar: STACK_ENV.clickhouseHttpPort },
      { role: 'tcp', port: ch.tcpPort, envVar: STACK_ENV.clickhouseTcpPort },
    ],
    stdoutLog: ch.stdoutLog,
    mainLog: ch.serverLog,
    logFiles: [ch.stdoutLog, ch.errorLog],
    async prepare(log) {
      await ensureClickHouseInstalled(ch.serverBin, log);
      await writeClickHouseFiles(config);
    },
    command: { file: ch.serverBin, args: [configArg], cwd: ch.dir },
    probe: () => probeClickHouse(config.endpoints.clickhouseUrl),
  };
}
