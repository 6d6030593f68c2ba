/**
 * The Kubernetes scheduler-extender wire format (k8s.io/kube-scheduler/extender/v1), pure.
 *
 * kube-scheduler marshals these Go structs with encoding/json and NO json tags, so the field names on
 * the wire are the Go names (`Pod`, `Nodes`, `NodeNames`, `FailedNodes`, `Host`, `Score`, `PodName`,
 * …); Go's decoder matches names case-insensitively, and so do we when reading (a hand-written client
 * may send `pod` or `nodenames`). Replies use the Go names exactly. The Pod and Node objects inside
 * are ordinary core/v1 JSON (camelCase tags), read as they are.
 */
import { err, ok, type Result } from '../../contracts/result.ts';

/** kube-scheduler's extender score range (extenderv1.MinExtenderPriority..MaxExtenderPriority). */
export const MIN_EXTENDER_PRIORITY = 0;
export const MAX_EXTENDER_PRIORITY = 10;

type Json = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `obj[name]`, matching the key case-insensitively as Go's encoding/json does (an exact match wins). */
export function field(obj: Json, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

/** ExtenderArgs: the pod, and the candidate nodes as full objects (`Nodes.items`) or as names (nodeCacheCapable). */
export interface ExtenderArgs {
  readonly pod: Json;
  /** Full Node objects, when the extender is not nodeCacheCapable; null otherwise. */
  readonly nodes: readonly Json[] | null;
  /** The candidate node names (from `NodeNames`, or the names of `Nodes.items`). */
  readonly nodeNames: readonly string[];
}

/** ExtenderBindingArgs. */
export interface ExtenderBindingArgs {
  readonly podName: string;
  readonly podNamespace: string;
  readonly podUid: string;
  readonly node: string;
}

const nodeName = (node: Json): string | null => {
  const meta = node['metadata'];
  const name = isObject(meta) ? meta['name'] : undefined;
  return typeof name === 'string' && name !== '' ? name : null;
};

/** Reads an ExtenderArgs body (already JSON-parsed). */
export function parseExtenderArgs(body: unknown): Result<ExtenderArgs> {
  if (!isObject(body)) return err('ExtenderArgs: expected a JSON object');
  const pod = field(body, 'Pod');
  if (!isObject(pod)) return err('ExtenderArgs: Pod missing');
  const list = field(body, 'Nodes');
  const names = field(body, 'NodeNames');
  if (isObject(list)) {
    const items = field(list, 'items');
    if (!Array.isArray(items) || !items.every(isObject))
      return err('ExtenderArgs: Nodes.items is not a list of objects');
    const nodeNames: string[] = [];
    for (const item of items) {
      const name = nodeName(item);
      if (name === null) return err('ExtenderArgs: a node in Nodes.items has no metadata.name');
      nodeNames.push(name);
    }
    return ok({ pod, nodes: items, nodeNames });
  }
  if (Array.isArray(names)) {
    if (!names.every((n): n is string => typeof n === 'string')) return err('ExtenderArgs: NodeNames are not strings');
    return ok({ pod, nodes: null, nodeNames: names });
  }
  return err('ExtenderArgs: neither Nodes nor NodeNames given');
}

/** Reads an ExtenderBindingArgs body. */
export function parseBindingArgs(body: unknown): Result<ExtenderBindingArgs> {
  if (!isObject(body)) return err('ExtenderBindingArgs: expected a JSON object');
  const text = (name: string) => {
    const v = field(body, name);
    return typeof v === 'string' ? v : '';
  };
  const args = {
    podName: text('PodName'),
    podNamespace: text('PodNamespace'),
    podUid: text('PodUID'),
    node: text('Node'),
  };
  if (args.podName === '' || args.node === '') return err('ExtenderBindingArgs: PodName and Node are required');
  return ok(args);
}

/** ExtenderFilterResult as kube-scheduler reads it: the passing nodes in the form they came in. */
export function filterResult(
  args: ExtenderArgs,
  passing: ReadonlySet<string>,
  failed: ReadonlyMap<string, string>,
): Json {
  const failedNodes = Object.fromEntries(failed);
  if (args.nodes !== null) {
    return {
      Nodes: { metadata: {}, items: args.nodes.filter((n) => passing.has(nodeName(n) ?? '')) },
      FailedNodes: failedNodes,
    };
  }
  return { NodeNames: args.nodeNames.filter((n) => passing.has(n)), FailedNodes: failedNodes };
}

/** An ExtenderFilterResult that fails the whole call (kube-scheduler reports the pod unschedulable with it). */
export const filterError = (error: string): Json => ({ Error: error });

/**
 * HostPriorityList: integer scores clamped to 0..10. Hosts scoring 0 are left out: kube-scheduler adds
 * an extender's score only to the hosts it names (pkg/scheduler/schedule_one.go, prioritizeNodes), so
 * a missing host and a 0 are the same to it, and on a full fleet most hosts score 0.
 */
export function hostPriorityList(scores: ReadonlyMap<string, number>): { Host: string; Score: number }[] {
  const list: { Host: string; Score: number }[] = [];
  for (const [host, score] of scores) {
    const s = Math.max(MIN_EXTENDER_PRIORITY, Math.min(MAX_EXTENDER_PRIORITY, Math.round(score)));
    if (s > MIN_EXTENDER_PRIORITY) list.push({ Host: host, Score: s });
  }
  return list;
}

/** ExtenderBindingResult. */
export const bindingResult = (error: string | null): Json => (error === null ? {} : { Error: error });
