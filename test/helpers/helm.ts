import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBE_VERSION, toolCacheDir } from './kube-apiserver.ts';

/** Same default and same cache layout as scripts/build-helm.sh. */
export const HELM_VERSION = '4.3.2';

/** The chart, and its values files for chart-testing (ci/): only the required values, and every optional part on. */
export const CHART_DIR = resolve(import.meta.dirname, '../../deploy/helm/gpu-ledger');
export const CHART_VALUES = {
  minimal: join(CHART_DIR, 'ci/minimal-values.yaml'),
  everything: join(CHART_DIR, 'ci/everything-values.yaml'),
} as const;

/** Where scripts/build-helm.sh put helm (outside the repo, keyed by version). */
export function helmBinDir(env: NodeJS.ProcessEnv): string {
  return join(toolCacheDir(env), `helm-${env['HELM_VERSION'] ?? HELM_VERSION}`, 'bin');
}

export interface HelmRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A rendered manifest: any Kubernetes object. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The helm command of scripts/build-helm.sh, with its own empty config, cache and data dirs (no repos, no plugins). */
export interface Helm {
  /** Runs helm; rejects with its output so far when it outlives `timeoutMs` (it is killed). */
  run(args: readonly string[], timeoutMs?: number): Promise<HelmRun>;
  /** `helm template`; rejects with helm's stderr when rendering fails. */
  template(args: readonly string[]): Promise<KubeObject[]>;
  close(): void;
}

export function createHelm(binDir: string): Helm {
  const bin = join(binDir, 'helm');
  if (!existsSync(bin))
    throw new Error(`helm not found in ${binDir}: run scripts/build-helm.sh first (scripts/test.sh does)`);
  const home = mkdtempSync(join(tmpdir(), 'gpu-ledger-helm-'));
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  const run = (args: readonly string[], timeoutMs = 30_000) =>
    new Promise<HelmRun>((resolve, reject) => {
      const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let [stdout, stderr] = ['', ''];
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`helm ${args.join(' ')} ran past ${timeoutMs} ms; its output:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.on('error', (error) => (clearTimeout(timer), reject(error)));
      child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    });
  return {
    run,
    async template(args) {
      const result = await run(['template', ...args]);
      if (result.code !== 0)
        throw new Error(`helm template ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
      return parseAllDocuments(result.stdout)
        .map((doc) => {
          if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${doc.errors[0]?.message}`);
          return doc.toJS() as KubeObject | null;
        })
        .filter((o): o is KubeObject => o !== null);
    },
    close: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** `helm template RELEASE CHART_DIR` into `namespace` for the test API server's Kubernetes version. */
export function renderChart(
  helm: Helm,
  options: { readonly release: string; readonly namespace: string; readonly values: string; readonly set?: string[] },
): Promise<KubeObject[]> {
  const set = (options.set ?? []).flatMap((s) => ['--set', s]);
  return helm.template(
    [options.release, CHART_DIR, '-n', options.namespace, '--kube-version', KUBE_VERSION].concat(
      ['-f', options.values],
      set,
    ),
  );
}
