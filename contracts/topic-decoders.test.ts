import { describe, it, expect } from 'vitest';
import * as examples from './examples.ts';
import { DECODERS_BY_TOPIC, isDecodableTopic, type DecodableTopic } from './topic-decoders.ts';
import { Topics } from './topics.ts';

const exampleByTopic: { readonly [T in DecodableTopic]: unknown } = {
  [Topics.gpuSamples]: examples.exampleGpuSampleBatch,
  [Topics.podEvents]: examples.examplePodEvent,
  [Topics.modelServerSamples]: examples.exampleModelServerSample,
  [Topics.costLedger]: examples.exampleCostLedgerRow,
  [Topics.alerts]: examples.exampleAlert,
  [Topics.nodeHints]: examples.exampleNodeHint,
  [Topics.deadLetters]: examples.exampleDeadLetter,
};
const decodable = Object.keys(exampleByTopic) as DecodableTopic[];

describe('DECODERS_BY_TOPIC', () => {
  it('covers every topic, and nothing else', () => {
    expect(Object.keys(DECODERS_BY_TOPIC).sort()).toEqual(Object.values(Topics).sort());
    expect(isDecodableTopic('telemetry.unknown.v1')).toBe(false);
    expect(isDecodableTopic('toString')).toBe(false);
  });

  it.each(decodable)('decodes the example record of %s', (topic) => {
    const example = exampleByTopic[topic];
    expect(isDecodableTopic(topic)).toBe(true);
    expect(DECODERS_BY_TOPIC[topic](JSON.stringify(example))).toEqual({ ok: true, value: example });
  });

  it.each(decodable)('rejects the records of the other topics on %s', (topic) => {
    for (const other of decodable.filter((t) => t !== topic)) {
      expect(DECODERS_BY_TOPIC[topic](JSON.stringify(exampleByTopic[other])).ok, `${other} on ${topic}`).toBe(false);
    }
  });

  it.each(decodable)('rejects a record of a future schema version on %s, naming schemaVersion', (topic) => {
    const future = { ...(exampleByTopic[topic] as object), schemaVersion: 2 };
    const result = DECODERS_BY_TOPIC[topic](JSON.stringify(future));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('schemaVersion:');
  });
});
