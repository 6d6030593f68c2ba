import { describe, it, expect } from 'vitest';
import { examplePodEvent } from './examples.ts';
import { decodePodEvent, type GpuRequest } from './pod-event.ts';

const event = examplePodEvent;

function reasonFor(value: unknown): string {
  const result = decodePodEvent(JSON.stringify(value));
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('PodEvent v1', () => {
  it('decodes a valid event to an equal value', () => {
    expect(decodePodEvent(JSON.stringify(event))).toEqual({ ok: true, value: event });
  });

  it.each<[string, GpuRequest]>([
    ['no GPU', { kind: 'none' }],
    ['whole GPUs', { kind: 'whole', count: 8 }],
    ['a fraction without a memory limit', { kind: 'fraction', milli: 250 }],
    ['a fraction with a memory limit', { kind: 'fraction', milli: 500, memoryBytes: 10 * 1024 ** 3 }],
    ['a fraction with an explicit null memory limit', { kind: 'fraction', milli: 1, memoryBytes: null }],
    ['a MIG slice with a media-extension profile', { kind: 'mig', profile: '1g.10gb+me', count: 2 }],
  ])('decodes a GPU request for %s', (_name, gpuRequest) => {
    const value = { ...event, gpuRequest };
    expect(decodePodEvent(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it('decodes an event of a pod not yet scheduled (node null, no owner, no devices)', () => {
    const value = { ...event, event: 'created', node: null, owner: null, gpuUuids: [] };
    expect(decodePodEvent(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  it.each([
    ['milli of a whole GPU', { ...event, gpuRequest: { kind: 'fraction', milli: 1000 } }, 'gpuRequest.milli:'],
    ['milli 0', { ...event, gpuRequest: { kind: 'fraction', milli: 0 } }, 'gpuRequest.milli:'],
    ['fractional milli', { ...event, gpuRequest: { kind: 'fraction', milli: 12.5 } }, 'gpuRequest.milli:'],
    [
      'negative memory limit',
      { ...event, gpuRequest: { kind: 'fraction', milli: 500, memoryBytes: -1 } },
      'gpuRequest.memoryBytes:',
    ],
    ['zero whole GPUs', { ...event, gpuRequest: { kind: 'whole', count: 0 } }, 'gpuRequest.count:'],
    ['whole request without count', { ...event, gpuRequest: { kind: 'whole' } }, 'gpuRequest.count:'],
    ['MIG request without profile', { ...event, gpuRequest: { kind: 'mig', count: 1 } }, 'gpuRequest.profile:'],
    [
      'MIG request with a resource name for a profile',
      { ...event, gpuRequest: { kind: 'mig', profile: 'nvidia.com/mig-1g.10gb', count: 1 } },
      'gpuRequest.profile:',
    ],
    ['unknown request kind', { ...event, gpuRequest: { kind: 'shared', milli: 10 } }, 'gpuRequest.kind:'],
    ['unknown event', { ...event, event: 'running' }, 'event:'],
    ['a numeric label value', { ...event, labels: { ...event.labels, replicas: 3 } }, 'labels.replicas:'],
    [
      'a numeric value under a label key with a slash',
      { ...event, labels: { 'app.kubernetes.io/name': 1 } },
      'labels["app.kubernetes.io/name"]:',
    ],
    ['owner without name', { ...event, owner: { kind: 'Job' } }, 'owner.name:'],
    ['empty pod UID', { ...event, podUid: '' }, 'podUid:'],
    ['atMs as an ISO string', { ...event, atMs: '2025-07-14T09:00:44Z' }, 'atMs:'],
    ['a device list holding a number', { ...event, gpuUuids: [0] }, 'gpuUuids[0]:'],
  ])('rejects %s, naming the field', (_name, value, path) => {
    expect(reasonFor(value)).toContain(path);
  });
});
