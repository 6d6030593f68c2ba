import { describe, expect, it } from 'vitest';
import {
  bindingResult,
  field,
  filterResult,
  hostPriorityList,
  parseBindingArgs,
  parseExtenderArgs,
} from './protocol.ts';

const node = (name: string) => ({ metadata: { name }, status: { capacity: { cpu: '8' } } });
const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [] } };

describe('scheduler-extender protocol', () => {
  it('reads field names case-insensitively, the exact name first', () => {
    expect(field({ nodenames: 1 }, 'NodeNames')).toBe(1);
    expect(field({ NODENAMES: 2 }, 'NodeNames')).toBe(2);
    expect(field({ nodeNames: 3, NodeNames: 4 }, 'NodeNames')).toBe(4);
    expect(field({ other: 1 }, 'NodeNames')).toBeUndefined();
  });

  it('parses ExtenderArgs as kube-scheduler marshals them (Go field names, full Node objects)', () => {
    const r = parseExtenderArgs({ Pod: pod, Nodes: { metadata: {}, items: [node('a'), node('b')] }, NodeNames: null });
    expect(r.ok && r.value.nodeNames).toEqual(['a', 'b']);
    expect(r.ok && r.value.nodes?.length).toBe(2);
  });

  it('parses nodeCacheCapable ExtenderArgs (names only) in lower case', () => {
    const r = parseExtenderArgs({ pod, nodes: null, nodenames: ['x', 'y'] });
    expect(r).toEqual({ ok: true, value: { pod, nodes: null, nodeNames: ['x', 'y'] } });
  });

  it('rejects ExtenderArgs without a pod, without nodes, or with a nameless node', () => {
    expect(parseExtenderArgs({ NodeNames: ['a'] })).toEqual({ ok: false, error: 'ExtenderArgs: Pod missing' });
    expect(parseExtenderArgs({ Pod: pod }).ok).toBe(false);
    expect(parseExtenderArgs({ Pod: pod, Nodes: { items: [{ metadata: {} }] } }).ok).toBe(false);
    expect(parseExtenderArgs([1]).ok).toBe(false);
  });

  it('answers filter in the form the nodes came in', () => {
    const full = parseExtenderArgs({ Pod: pod, Nodes: { items: [node('a'), node('b')] } });
    const names = parseExtenderArgs({ Pod: pod, NodeNames: ['a', 'b'] });
    if (!full.ok || !names.ok) throw new Error('parse');
    const failed = new Map([['b', 'no room']]);
    expect(filterResult(full.value, new Set(['a']), failed)).toEqual({
      Nodes: { metadata: {}, items: [node('a')] },
      FailedNodes: { b: 'no room' },
    });
    expect(filterResult(names.value, new Set(['a']), failed)).toEqual({
      NodeNames: ['a'],
      FailedNodes: { b: 'no room' },
    });
  });

  it('writes HostPriorityList with Go field names and integer scores clamped to 0..10, hosts at 0 left out', () => {
    expect(
      hostPriorityList(
        new Map([
          ['a', 10],
          ['b', 3.4],
          ['c', 12],
          ['d', -1],
        ]),
      ),
    ).toEqual([
      { Host: 'a', Score: 10 },
      { Host: 'b', Score: 3 },
      { Host: 'c', Score: 10 },
    ]);
  });

  it('parses ExtenderBindingArgs (PodUID in any case) and answers ExtenderBindingResult', () => {
    expect(parseBindingArgs({ PodName: 'p', PodNamespace: 'ns', PodUID: 'u', Node: 'n1' })).toEqual({
      ok: true,
      value: { podName: 'p', podNamespace: 'ns', podUid: 'u', node: 'n1' },
    });
    expect(parseBindingArgs({ podname: 'p', podnamespace: 'ns', poduid: 'u', node: 'n1' }).ok).toBe(true);
    expect(parseBindingArgs({ PodName: 'p' }).ok).toBe(false);
    expect(bindingResult(null)).toEqual({});
    expect(bindingResult('boom')).toEqual({ Error: 'boom' });
  });
});
