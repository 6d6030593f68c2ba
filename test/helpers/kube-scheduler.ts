import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';

/** A real kube-scheduler (scripts/build-kube-scheduler.sh) talking to a test API server. */
export interface KubeScheduler {
  /** The last lines of its log (for a failure message). */
  logTail(lines?: number): string;
  close(): Promise<void>;
}

/**
 * Starts kube-scheduler with `configuration` (a KubeSchedulerConfiguration object, written as JSON;
 * `clientConnection.kubeconfig` is filled in) against the API server of `kubeConfig`. No leader
 * election, no serving port (--secure-port=0): readiness shows as pods getting bound.
 */
export function startKubeScheduler(options: {
  readonly binDir: string;
  readonly kubeConfig: KubeConfig;
  readonly configuration: Record<string, unknown>;
}): KubeScheduler {
  const bin = join(options.binDir, 'kube-scheduler');
  if (!existsSync(bin))
    throw new Error(`kube-scheduler not found in ${options.binDir}: run scripts/build-kube-scheduler.sh`);
  const runDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-kube-scheduler-'));
  const kubeconfigPath = join(runDir, 'kubeconfig.json');
  writeFileSync(kubeconfigPath, options.kubeConfig.exportConfig());
  const configPath = join(runDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      leaderElection: { leaderElect: false },
      ...options.configuration,
      clientConnection: { kubeconfig: kubeconfigPath },
    }),
  );
  const logPath = join(runDir, 'kube-scheduler.log');
  const log = openSync(logPath, 'a');
  const child = spawn(bin, [`--config=${configPath}`, '--secure-port=0', '--v=2'], { stdio: ['ignore', log, log] });
  closeSync(log);
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const logTail = (lines = 30) => {
    const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    return `kube-scheduler (exit ${child.exitCode ?? 'running'}), last lines:\n${text.split('\n').slice(-lines).join('\n')}`;
  };
  return {
    logTail,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(kill, 10_000);
          child.once('exit', () => (clearTimeout(timer), resolve()));
          child.kill('SIGTERM');
        });
      }
      process.removeListener('exit', kill);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
