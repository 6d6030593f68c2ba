import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_VALUES, createHelm, helmBinDir, renderChart, type Helm, type KubeObject } from '../helpers/helm.ts';
import { kubeBinDir, startKubeApiServer, type KubeApiServer } from '../helpers/kube-apiserver.ts';
import { createKubeRest, type KubeRest } from '../helpers/kube-rest.ts';
import { uniqueName, waitFor } from '../helpers/wait-for.ts';

// Every manifest the chart renders, created with a server-side dry run (dryRun=All, fieldValidation=
// Strict) on a real kube-apiserver + etcd (scripts/build-kube-apiserver.sh): the API server's own
// decoding, defaulting, validation and admission judge them; nothing is stored.
const namespace = uniqueName('helm-dry-run').replaceAll('_', '-').toLowerCase();

/**
 * The Prometheus Operator's ServiceMonitor, which a bare API server does not serve: the fields the
 * chart renders, typed as in the operator's CRD (monitoring.coreos.com_servicemonitors.yaml, v1), and
 * nothing else, so a misspelt field or a bad interval fails under strict field validation.
 */
const serviceMonitorCrd: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    names: {
      kind: 'ServiceMonitor',
      listKind: 'ServiceMonitorList',
      plural: 'servicemonitors',
      singular: 'servicemonitor',
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            required: ['spec'],
            properties: {
              spec: {
                type: 'object',
                required: ['selector', 'endpoints'],
                properties: {
                  selector: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  namespaceSelector: {
                    type: 'object',
                    properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
                  },
                  endpoints: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        port: { type: 'string' },
                        path: { type: 'string' },
                        interval: {
                          type: 'string',
                          pattern:
                            '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

let helm: Helm;
let server: KubeApiServer;
let kube: KubeRest;

const dryRunAll = async (objects: readonly KubeObject[]) =>
  Promise.all(
    objects.map(async (o) => {
      const res = await kube.dryRunCreate(o);
      return {
        object: `${o.kind}/${o.metadata.name}`,
        status: res.status,
        message: res.body.message,
        warnings: res.warnings,
      };
    }),
  );

beforeAll(async () => {
  helm = createHelm(helmBinDir(process.env));
  server = await startKubeApiServer({ binDir: kubeBinDir(process.env) });
  kube = createKubeRest(server);
  // Pod Security admission warns (never refuses) about workloads below the restricted standard.
  const created = await kube.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/warn': 'restricted' } },
  });
  expect(created.status).toBe(201);
  expect((await kube.create(serviceMonitorCrd)).status).toBe(201);
  await waitFor(
    'the ServiceMonitor CRD established and served',
    async () => {
      const crd = await kube.get(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${serviceMonitorCrd.metadata.name}`,
      );
      const conditions = (crd.body['status'] as { conditions?: { type: string; status: string }[] } | undefined)
        ?.conditions;
      const served = await kube.get('/apis/monitoring.coreos.com/v1');
      return conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true && served.status === 200;
    },
    30_000,
    200,
  );
});
afterAll(async () => {
  helm?.close();
  await server?.close();
});

describe('helm chart on a real kube-apiserver (server-side dry run)', () => {
  it.each(Object.entries(CHART_VALUES))('every manifest of the %s values is accepted as is', async (_, values) => {
    const objects = await renderChart(helm, { release: 'ledger', namespace, values });
    expect(objects.length).toBeGreaterThanOrEqual(12);
    const results = await dryRunAll(objects);
    expect(results.filter((r) => r.status !== 201)).toEqual([]);
    // The pipeline, API and extender meet the restricted Pod Security Standard; the agent, by design,
    // needs the privileged level (host PIDs and the host's /proc: deploy/README.md).
    const warned = results.filter((r) => r.warnings.length > 0);
    expect(warned.map((r) => r.object)).toEqual(['DaemonSet/ledger-gpu-ledger-agent']);
    expect(warned[0]?.warnings).toEqual([
      expect.stringMatching(/would violate PodSecurity .*host namespaces \(hostPID=true\).*"host-proc".*hostPath/),
    ]);
  });

  it('rejects a manifest the API server would not take (so the check above has teeth)', async () => {
    const objects = await renderChart(helm, { release: 'ledger', namespace, values: CHART_VALUES.everything });
    const daemonSet = objects.find((o) => o.kind === 'DaemonSet');
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor');
    if (!daemonSet || !monitor) throw new Error('the everything values render a DaemonSet and ServiceMonitors');
    const json = (o: KubeObject) => JSON.stringify(o);
    const broken = [
      // a misspelt field: rejected under strict field validation, not silently dropped
      JSON.parse(json(daemonSet).replace('"readinessProbe":{"httpGet":{', '"readinessProbe":{"httpGet":{"paht":"/x",')),
      // a value the API forbids
      JSON.parse(json(daemonSet).replace('"path":"/proc","type":"Directory"', '"path":"/proc","type":"Dir"')),
      // privileged together with allowPrivilegeEscalation false: a cross-field validation
      JSON.parse(json(daemonSet).replace('"privileged":true', '"privileged":true,"allowPrivilegeEscalation":false')),
      // the CRD's schema: an interval that is no Prometheus duration
      JSON.parse(json(monitor).replace('"interval":"30s"', '"interval":"30 seconds"')),
    ] as KubeObject[];
    const results = await dryRunAll(broken);
    expect(results.map((r) => r.status)).toEqual([400, 422, 422, 422]);
    expect(results.map((r) => r.message)).toEqual([
      expect.stringContaining('unknown field "spec.template.spec.containers[0].readinessProbe.httpGet.paht"'),
      expect.stringContaining('spec.template.spec.volumes[2].hostPath.type: Unsupported value: "Dir"'),
      expect.stringContaining('cannot set `allowPrivilegeEscalation` to false and `privileged` to true'),
      expect.stringContaining('spec.endpoints[0].interval: Invalid value: "30 seconds"'),
    ]);
  });
});
