import type { V1Container } from '@kubernetes/client-node';
import type { KubeObject } from './helm.ts';

/**
 * The environment a container of rendered manifests would get, built as the kubelet builds it:
 * `envFrom` ConfigMaps and Secrets (in order, later keys win), then `env` (wins over envFrom), with
 * `$(VAR)` references to earlier variables expanded and `fieldRef`s answered from `fields`.
 */
export function containerEnv(
  objects: readonly KubeObject[],
  container: V1Container,
  fields: Readonly<Record<string, string>>,
): Record<string, string> {
  const data = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`envFrom names ${kind} ${name}, which the chart does not render`);
    return (found[kind === 'Secret' ? 'stringData' : 'data'] ?? {}) as Record<string, string>;
  };
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, data('ConfigMap', from.configMapRef.name ?? ''));
    if (from.secretRef) Object.assign(env, data('Secret', from.secretRef.name ?? ''));
  }
  for (const variable of container.env ?? []) {
    const path = variable.valueFrom?.fieldRef?.fieldPath;
    if (path !== undefined) {
      const value = fields[path];
      if (value === undefined) throw new Error(`${variable.name}: no value given for fieldRef ${path}`);
      env[variable.name] = value;
    } else {
      env[variable.name] = (variable.value ?? '').replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (ref, name: string) => env[name] ?? ref,
      );
    }
  }
  return env;
}
