import type {
  V1ClusterRole,
  V1ConfigMap,
  V1Container,
  V1DaemonSet,
  V1Deployment,
  V1NetworkPolicy,
  V1PodSpec,
} from '@kubernetes/client-node';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import { pipelineConfigFromOptions, registerPipelineCommand } from '../../cli/commands/pipeline.ts';
import type { CliContext } from '../../cli/context.ts';
import {
  CHART_DIR,
  CHART_VALUES,
  createHelm,
  helmBinDir,
  renderChart,
  type Helm,
  type KubeObject,
} from '../helpers/helm.ts';
import { containerEnv } from '../helpers/pod-env.ts';

// The chart deploy/helm/gpu-ledger, linted and rendered by a real Helm v4 (scripts/build-helm.sh);
// what it renders is checked here, and against the real API server in helm-dry-run.test.ts.
const release = 'ledger';
const namespace = 'gpu-ledger';
const node = { 'spec.nodeName': 'gpu-node-7', 'status.hostIP': '10.0.0.7' };
let helm: Helm;
let minimal: KubeObject[];
let everything: KubeObject[];

const named = <T>(objects: readonly KubeObject[], kind: string, component: string): T => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === `${release}-gpu-ledger-${component}`);
  if (!found) throw new Error(`no ${kind} ${release}-gpu-ledger-${component} rendered`);
  return found as T;
};
const podSpec = (objects: readonly KubeObject[], kind: 'DaemonSet' | 'Deployment', component: string): V1PodSpec => {
  const spec = named<V1DaemonSet | V1Deployment>(objects, kind, component).spec?.template.spec;
  if (!spec) throw new Error(`${kind} ${component} has no pod spec`);
  return spec;
};
const main = (spec: V1PodSpec): V1Container => spec.containers[0] as V1Container;
/** The agent's and the pipeline's settings as cli/config.ts reads them from what the chart gives the container. */
const configOf = (objects: readonly KubeObject[], spec: V1PodSpec) =>
  loadConfig(containerEnv(objects, main(spec), node), main(spec).workingDir ?? '/');

/** The pipeline's flags parsed by the real `gpu-ledger pipeline` command, unknown flags reported. */
function pipelineFlags(args: readonly string[]) {
  const program = new Command();
  registerPipelineCommand(program, {} as CliContext);
  const command = program.commands.find((c) => c.name() === 'pipeline');
  if (!command || args[0] !== 'pipeline') throw new Error(`not a pipeline command: ${args.join(' ')}`);
  const { operands, unknown } = command.parseOptions(args.slice(1));
  return {
    operands,
    unknown,
    parsed: pipelineConfigFromOptions(command.opts<Parameters<typeof pipelineConfigFromOptions>[0]>()),
  };
}

beforeAll(async () => {
  helm = createHelm(helmBinDir(process.env));
  [minimal, everything] = await Promise.all([
    renderChart(helm, { release, namespace, values: CHART_VALUES.minimal }),
    renderChart(helm, { release, namespace, values: CHART_VALUES.everything }),
  ]);
});
afterAll(() => helm?.close());

describe('helm chart deploy/helm/gpu-ledger', () => {
  it('lints clean with --strict, with the required values only and with every optional part on', async () => {
    for (const values of [CHART_VALUES.minimal, CHART_VALUES.everything]) {
      const lint = await helm.run(['lint', '--strict', CHART_DIR, '-f', values]);
      expect(lint.stderr + lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(lint.code).toBe(0);
    }
  });

  it('renders the agent DaemonSet for GPU nodes: hostPID, host /proc read-only, spool on the node, probes, grace period', () => {
    expect(minimal.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/ledger-gpu-ledger-agent-pods',
      'ClusterRoleBinding/ledger-gpu-ledger-agent-pods',
      'ConfigMap/ledger-gpu-ledger-agent',
      'ConfigMap/ledger-gpu-ledger-config',
      'DaemonSet/ledger-gpu-ledger-agent',
      'Deployment/ledger-gpu-ledger-pipeline',
      'NetworkPolicy/ledger-gpu-ledger-agent',
      'NetworkPolicy/ledger-gpu-ledger-pipeline',
      'Secret/ledger-gpu-ledger-credentials',
      'Service/ledger-gpu-ledger-agent',
      'Service/ledger-gpu-ledger-pipeline',
      'ServiceAccount/ledger-gpu-ledger-agent',
    ]);
    const spec = podSpec(minimal, 'DaemonSet', 'agent');
    const agent = main(spec);
    expect(spec.hostPID).toBe(true);
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.runtimeClassName).toBe('nvidia');
    expect(spec.terminationGracePeriodSeconds).toBe(15); // 10 s shutdown deadline + 5 s
    expect(spec.volumes).toContainEqual({ name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } });
    expect(spec.volumes).toContainEqual({
      name: 'spool',
      hostPath: { path: `/var/lib/gpu-ledger/${namespace}/${release}`, type: 'DirectoryOrCreate' },
    });
    expect(agent.volumeMounts).toContainEqual({ name: 'host-proc', mountPath: '/host/proc', readOnly: true });
    expect(agent.args).toEqual(['agent']);
    expect(agent.ports).toEqual([{ name: 'metrics', containerPort: 9403, protocol: 'TCP' }]);
    expect(agent.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(agent.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(agent.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(agent.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(agent.securityContext?.privileged).toBeUndefined();
    // What the agent process makes of its environment (cli/config.ts): the chart's names are the CLI's.
    const env = containerEnv(minimal, agent, node);
    expect(env).toMatchObject({ NVIDIA_VISIBLE_DEVICES: 'all', GPU_LEDGER_SHUTDOWN_TIMEOUT_MS: '10000' });
    expect(configOf(minimal, spec)).toMatchObject({
      mode: 'distributed',
      node: 'gpu-node-7',
      cluster: 'default',
      kafkaBrokers: ['kafka-0.kafka.data:9092'],
      agentMetricsHost: '0.0.0.0',
      agentMetricsPort: 9403,
      procRoot: '/host/proc',
      spoolDir: '/var/lib/gpu-ledger/spool',
      gpuSource: 'nvidia-smi-csv',
      nvidiaSmiPath: '/usr/bin/nvidia-smi',
      watchPods: true,
    });
    expect(agent.volumeMounts).toContainEqual({ name: 'spool', mountPath: '/var/lib/gpu-ledger/spool' });
  });

  it('gives only the agent a Kubernetes identity: list and watch on pods, nothing else', () => {
    for (const objects of [minimal, everything]) {
      const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as V1ClusterRole[];
      expect(roles.map((r) => r.rules)).toEqual([[{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]]);
      expect(named(objects, 'ClusterRoleBinding', 'agent-pods')).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: 'ledger-gpu-ledger-agent-pods' },
        subjects: [{ kind: 'ServiceAccount', name: 'ledger-gpu-ledger-agent', namespace }],
      });
      expect(podSpec(objects, 'DaemonSet', 'agent')).toMatchObject({ automountServiceAccountToken: true });
      for (const d of objects.filter((o) => o.kind === 'Deployment') as V1Deployment[]) {
        expect(d.spec?.template.spec).toMatchObject({ automountServiceAccountToken: false });
        expect(d.spec?.template.spec?.serviceAccountName).toBeUndefined();
      }
    }
    const noWatch = renderChart(helm, {
      release,
      namespace,
      values: CHART_VALUES.minimal,
      set: ['agent.watchPods=false'],
    });
    return expect(noWatch.then((o) => o.filter((x) => x.kind.includes('Role')))).resolves.toEqual([]);
  });

  it('runs the pipeline as a consumer group of `replicas` members at most `partitions`, with flags the command accepts', async () => {
    const spec = podSpec(minimal, 'Deployment', 'pipeline');
    const pipeline = main(spec);
    const deployment = named<V1Deployment>(minimal, 'Deployment', 'pipeline');
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    expect(spec.terminationGracePeriodSeconds).toBe(15);
    expect(pipeline.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(pipeline.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    const flags = pipelineFlags(pipeline.args ?? []);
    expect(pipelineFlags(['pipeline', '--metrics-addr', '0.0.0.0:9464']).unknown).toEqual([
      '--metrics-addr',
      '0.0.0.0:9464',
    ]);
    expect(flags.unknown).toEqual([]);
    expect(flags.operands).toEqual([]);
    expect(flags.parsed).toMatchObject({ metricsHost: '0.0.0.0', metricsPort: 9464 });
    expect(flags.parsed.runtime.ingest).toMatchObject({ members: 2, partitions: 6 });
    expect(configOf(minimal, spec)).toMatchObject({
      mode: 'distributed',
      clickhouseUrl: 'http://clickhouse.data:8123',
      database: 'gpu_ledger',
    });

    const tooMany = await helm.run([
      'template',
      release,
      CHART_DIR,
      '-f',
      CHART_VALUES.minimal,
      '--set',
      'pipeline.replicas=7',
    ]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain('pipeline.replicas (7) is more than pipeline.partitions (6)');
    const atLimit = await renderChart(helm, {
      release,
      namespace,
      values: CHART_VALUES.minimal,
      set: ['pipeline.replicas=6'],
    });
    expect(named<V1Deployment>(atLimit, 'Deployment', 'pipeline').spec?.replicas).toBe(6);
  });

  it("DCGM with nvidia-smi's process list: the container gets nvidia-smi, the agent reads both", async () => {
    const objects = await renderChart(helm, {
      release,
      namespace,
      values: CHART_VALUES.minimal,
      set: ['agent.gpuSource=dcgm', 'agent.dcgm.processes=nvidia-smi'],
    });
    const spec = podSpec(objects, 'DaemonSet', 'agent');
    expect(spec.runtimeClassName).toBe('nvidia');
    expect(containerEnv(objects, main(spec), node)).toMatchObject({ NVIDIA_VISIBLE_DEVICES: 'all' });
    expect(configOf(objects, spec)).toMatchObject({
      gpuSource: 'dcgm',
      dcgmUrl: 'http://10.0.0.7:9400/metrics',
      dcgmProcesses: 'nvidia-smi',
      nvidiaSmiPath: '/usr/bin/nvidia-smi',
    });
    // DCGM alone (the default): no nvidia-smi in the container, no process list.
    const alone = podSpec(everything, 'DaemonSet', 'agent');
    expect(alone.runtimeClassName).toBeUndefined();
    expect(configOf(everything, alone)).toMatchObject({ gpuSource: 'dcgm', dcgmProcesses: 'none' });
  });

  it('refuses to render without Kafka or ClickHouse, or with an unknown GPU source, saying which value', async () => {
    const failures = {
      'kafka.brokers is required': ['--set', 'clickhouse.url=http://ch:8123'],
      'clickhouse.url is required': ['--set', 'kafka.brokers={k:9092}'],
      'agent.gpuSource must be one of nvidia-smi-csv, nvidia-smi-xml, dcgm, got "nvml"': [
        '-f',
        CHART_VALUES.minimal,
        '--set',
        'agent.gpuSource=nvml',
      ],
      'agent.dcgm.processes must be none or nvidia-smi, got "pids"': [
        '-f',
        CHART_VALUES.minimal,
        '--set',
        'agent.dcgm.processes=pids',
      ],
    };
    for (const [message, args] of Object.entries(failures)) {
      const run = await helm.run(['template', release, CHART_DIR, ...args]);
      expect(run.code, message).toBe(1);
      expect(run.stderr).toContain(message);
    }
  });

  it('with every part on: API and extender, ServiceMonitors, DCGM, credentials in the Secret, pricing files', () => {
    const agentSpec = podSpec(everything, 'DaemonSet', 'agent');
    expect(agentSpec.runtimeClassName).toBeUndefined(); // DCGM: no nvidia-smi in the container
    expect(main(agentSpec).securityContext).toMatchObject({ privileged: true });
    expect(agentSpec.terminationGracePeriodSeconds).toBe(26); // 20.5 s rounded up + 5 s
    expect(configOf(everything, agentSpec)).toMatchObject({
      gpuSource: 'dcgm',
      dcgmUrl: 'http://10.0.0.7:9400/metrics', // the node's own dcgm-exporter
      cluster: 'prod-eu',
      topicPrefix: 'prod.',
      kafkaBrokers: ['kafka-0.kafka.data:9092', 'kafka-1.kafka.data:9093'],
      xidLogPath: '/host/log/kern.log',
      spoolMaxBytes: 536_870_912,
      spoolFsync: 'always',
      kafkaReplicationFactor: 3,
      kafkaSecurity: {
        tls: true,
        sasl: { mechanism: 'scram-sha-512', username: 'gpu-ledger', password: 'kafka secret' },
      },
    });
    expect(configOf(minimal, podSpec(minimal, 'DaemonSet', 'agent'))).toMatchObject({
      kafkaReplicationFactor: null,
      kafkaSecurity: { tls: false, sasl: null },
    });
    const pipelineSpec = podSpec(everything, 'Deployment', 'pipeline');
    const config = configOf(everything, pipelineSpec);
    expect(config.priceCatalogPath).toBe('/etc/gpu-ledger/pricing/catalog.yaml');
    expect(config.costConfigPath).toBe('/etc/gpu-ledger/pricing/cost-config.yaml');
    expect(named<V1ConfigMap>(everything, 'ConfigMap', 'pricing').data?.['catalog.yaml']).toContain('version: 1');
    // The ClickHouse client decodes the URL's credentials (decodeURIComponent) back to what was given.
    const url = new URL(config.clickhouseUrl);
    expect([url.origin, decodeURIComponent(url.username), decodeURIComponent(url.password)]).toEqual([
      'https://clickhouse.data:8443',
      'gpu_ledger',
      'p@ss:w/rd +%',
    ]);
    expect(named<V1ConfigMap>(everything, 'ConfigMap', 'config').data?.['GPU_LEDGER_CLICKHOUSE_URL']).toBeUndefined();
    expect(containerEnv(everything, main(pipelineSpec), node)).toMatchObject({
      GPU_LEDGER_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      GPU_LEDGER_KAFKA_SASL_PASSWORD: 'kafka secret',
      GPU_LEDGER_KAFKA_TLS: 'true',
    });
    expect(pipelineFlags(main(pipelineSpec).args ?? []).parsed.ledgerIntervalMs).toBe(600_000);

    for (const [component, port] of [
      ['api', 8080],
      ['extender', 8888],
    ] as const) {
      const spec = podSpec(everything, 'Deployment', component);
      expect(main(spec).args).toEqual([component]);
      expect(main(spec).readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(main(spec).env).toContainEqual({
        name: `GPU_LEDGER_${component.toUpperCase()}_ADDR`,
        value: `0.0.0.0:${port}`,
      });
      expect(named<{ spec: unknown }>(everything, 'Service', component).spec).toMatchObject({
        ports: [{ name: 'http', port, targetPort: 'http' }],
      });
    }
    const monitors = everything.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name)).toEqual(
      ['agent', 'pipeline', 'api', 'extender'].map((c) => `${release}-gpu-ledger-${c}`),
    );
    expect(monitors[0]).toMatchObject({
      metadata: { labels: { release: 'kube-prometheus-stack' } },
      spec: {
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
        namespaceSelector: { matchNames: [namespace] },
      },
    });
  });

  it('fences every component with a NetworkPolicy: in on its own port, out to DNS and what it talks to', () => {
    const egressPorts = (objects: readonly KubeObject[], component: string) =>
      named<V1NetworkPolicy>(objects, 'NetworkPolicy', component).spec?.egress?.map((rule) =>
        rule.ports?.map((p) => p.port),
      );
    expect(named<V1NetworkPolicy>(minimal, 'NetworkPolicy', 'agent').spec).toMatchObject({
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }],
    });
    expect(egressPorts(minimal, 'agent')).toEqual([
      [53, 53],
      [9092, 443, 6443],
    ]);
    expect(egressPorts(minimal, 'pipeline')).toEqual([
      [53, 53],
      [9092, 8123],
    ]);
    expect(egressPorts(everything, 'agent')?.slice(0, 2)).toEqual([
      [53, 53],
      [9092, 9093, 443, 6443, 9400, 8000, 3000],
    ]);
    expect(egressPorts(everything, 'pipeline')?.slice(0, 2)).toEqual([
      [53, 53],
      [9092, 9093, 8443],
    ]);
    expect(egressPorts(everything, 'api')?.slice(0, 2)).toEqual([[53, 53], [8443]]);
    const none = renderChart(helm, {
      release,
      namespace,
      values: CHART_VALUES.minimal,
      set: ['networkPolicy.enabled=false'],
    });
    return expect(none.then((o) => o.filter((x) => x.kind === 'NetworkPolicy'))).resolves.toEqual([]);
  });
});
