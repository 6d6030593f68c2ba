import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from './private-stack.ts';
import { waitFor } from './wait-for.ts';

/** Same default and same cache layout as scripts/build-kube-apiserver.sh. */
export const KUBE_VERSION = '1.34.4';

/** The cache the build scripts (scripts/build-*.sh) build tools into: outside the repo, one dir per tool and version. */
export function toolCacheDir(env: NodeJS.ProcessEnv): string {
  return env['GPU_LEDGER_K8S_CACHE'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'gpu-ledger');
}

/** Where scripts/build-kube-apiserver.sh put kube-apiserver and etcd (outside the repo, keyed by version). */
export function kubeBinDir(env: NodeJS.ProcessEnv): string {
  return join(toolCacheDir(env), `k8s-${env['KUBE_VERSION'] ?? KUBE_VERSION}`, 'bin');
}

/** A kube-apiserver's address and a client config for it (token auth, TLS verification off). */
export interface KubeEndpoint {
  readonly kubeConfig: KubeConfig;
  readonly url: string;
}

/** A real kube-apiserver backed by a real etcd, private to one test file. No scheduler, controllers or kubelet. */
export interface KubeApiServer extends KubeEndpoint {
  /** Stops kube-apiserver (etcd stays up): watches break, clients get ECONNREFUSED. */
  stopApiServer(): Promise<void>;
  /** Starts it again on the same port; its watch cache starts at etcd's current revision. */
  startApiServer(): Promise<void>;
  /** A second kube-apiserver on the same etcd (an HA pair): changes objects while the first is down. Stopped by close(). */
  startPeer(): Promise<KubeEndpoint>;
  /** Stops every process and deletes the run dir. */
  close(): Promise<void>;
}

const TOKEN = 'gpu-ledger-test-token';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: { authorization: `Bearer ${TOKEN}` }, rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Sends SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    child.kill('SIGTERM');
  });
}

/**
 * Starts etcd and kube-apiserver on free ports in a temp dir (flags as controller-runtime's envtest
 * uses them, plus static-token auth; AlwaysAllow; ServiceAccount admission off, since no controller
 * makes service accounts) and waits for /readyz. Binaries come from scripts/build-kube-apiserver.sh.
 */
export async function startKubeApiServer(options: { readonly binDir: string }): Promise<KubeApiServer> {
  const [etcdBin, apiBin] = [join(options.binDir, 'etcd'), join(options.binDir, 'kube-apiserver')];
  if (!existsSync(etcdBin) || !existsSync(apiBin)) {
    throw new Error(
      `kube-apiserver/etcd not found in ${options.binDir}: run scripts/build-kube-apiserver.sh first (scripts/test.sh does)`,
    );
  }
  const runDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-kube-'));
  const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(runDir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(runDir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(runDir, 'tokens.csv'), `${TOKEN},admin,admin-uid,"system:masters"\n`);
  const url = `https://127.0.0.1:${apiPort}`;
  const children = new Set<ChildProcess>();
  const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killAll);

  const launch = (name: string, bin: string, args: string[]): ChildProcess => {
    const log = openSync(join(runDir, `${name}.log`), 'a');
    const child = spawn(bin, args, { stdio: ['ignore', log, log] });
    closeSync(log); // the child holds its own copy
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };
  const logTail = (name: string) =>
    readFileSync(join(runDir, `${name}.log`), 'utf8')
      .split('\n')
      .slice(-15)
      .join('\n');
  const ready = async (name: string, child: ChildProcess, check: () => Promise<boolean>) => {
    await waitFor(
      `${name} ready`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${logTail(name)}`);
        return check().catch(() => false);
      },
      90_000,
      200,
    );
  };

  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const etcd = launch('etcd', etcdBin, [
    '--name=test',
    `--data-dir=${join(runDir, 'etcd')}`,
    '--log-level=warn',
    '--unsafe-no-fsync=true',
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
  ]);
  const launchApiServer = async (name: string, port: number): Promise<ChildProcess> => {
    const child = launch(name, apiBin, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(runDir, `${name}-certs`)}`,
      `--service-account-issuer=${url}`,
      `--service-account-key-file=${join(runDir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(runDir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      `--token-auth-file=${join(runDir, 'tokens.csv')}`,
      '--authorization-mode=AlwaysAllow',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=0',
    ]);
    await ready(name, child, async () => (await get(`https://127.0.0.1:${port}/readyz`)).body === 'ok');
    return child;
  };
  let apiserver: ChildProcess | null = null;
  const close = async () => {
    await Promise.all([...children].filter((c) => c !== etcd).map(stopProcess)); // API servers first, then their etcd
    await stopProcess(etcd);
    process.removeListener('exit', killAll);
    rmSync(runDir, { recursive: true, force: true });
  };

  try {
    await ready('etcd', etcd, async () => (await fetch(`${etcdUrl}/health`)).ok);
    apiserver = await launchApiServer('kube-apiserver', apiPort);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ...endpoint(url),
    async stopApiServer() {
      if (apiserver) await stopProcess(apiserver);
    },
    async startApiServer() {
      apiserver = await launchApiServer('kube-apiserver', apiPort);
    },
    async startPeer() {
      const port = await freePort();
      await launchApiServer(`kube-apiserver-peer-${port}`, port);
      return endpoint(`https://127.0.0.1:${port}`);
    },
    close,
  };
}

function endpoint(url: string): KubeEndpoint {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'admin', token: TOKEN }],
    contexts: [{ name: 'test', cluster: 'test', user: 'admin' }],
    currentContext: 'test',
  });
  return { kubeConfig, url };
}
