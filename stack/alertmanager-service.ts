import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { StackConfig } from './config.ts';
import { STACK_ENV } from './config.ts';
import { ensureDebianPackages } from './install.ts';
import type { ServiceSpec } from './service-spec.ts';

/** Debian's prometheus-alertmanager (0.25 on bookworm) with a project-local config and data dir; gossip off. */
export function alertmanagerSpec(config: StackConfig): ServiceSpec {
  const am = config.alertmanager;
  const configArg = `--config.file=${am.configFile}`;
  return {
    name: 'alertmanager',
    label: 'Alertmanager',
    pidFile: am.pidFile,
    markers: [configArg],
    ports: [{ role: 'web', port: am.port, envVar: STACK_ENV.alertmanagerPort }],
    stdoutLog: am.stdoutLog,
    mainLog: am.stdoutLog,
    logFiles: [am.stdoutLog],
    async prepare(log) {
      await ensureDebianPackages(
        am.bin,
        ['prometheus-alertmanager'],
        'installing prometheus-alertmanager from Debian',
        log,
      );
      await mkdir(am.dataDir, { recursive: true });
      await writeFile(am.configFile, await readFile(am.templateFile, 'utf8'));
    },
    command: {
      file: am.bin,
      args: [
        configArg,
        `--storage.path=${am.dataDir}`,
        `--web.listen-address=${config.host}:${am.port}`,
        // An empty address turns the HA gossip (:9094) off: one local instance.
        '--cluster.listen-address=',
      ],
      cwd: am.dir,
    },
    probe: () => probeAlertmanager(config.endpoints.alertmanagerUrl),
  };
}

/** One health probe: `GET /-/ready` answers 200. Never throws; no keep-alive socket left behind. */
export function probeAlertmanager(url: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${url}/-/ready`, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}
