import type { Result } from './result.ts';
import { Topics } from './topics.ts';
import { decodeAlert, type Alert } from './alert.ts';
import { decodeCostLedgerRow, type CostLedgerRow } from './cost-ledger-row.ts';
import { decodeDeadLetter, type DeadLetter } from './dead-letter.ts';
import { decodeGpuSampleBatch, type GpuSampleBatch } from './gpu-sample-batch.ts';
import { decodeModelServerSample, type ModelServerSample } from './model-server-sample.ts';
import { decodeNodeHint, type NodeHint } from './node-hint.ts';
import { decodePodEvent, type PodEvent } from './pod-event.ts';

/** The record type carried by each topic. (GPU process -> pod bindings travel inside GpuSampleBatch.) */
export interface RecordByTopic {
  readonly [Topics.gpuSamples]: GpuSampleBatch;
  readonly [Topics.podEvents]: PodEvent;
  readonly [Topics.modelServerSamples]: ModelServerSample;
  readonly [Topics.costLedger]: CostLedgerRow;
  readonly [Topics.alerts]: Alert;
  readonly [Topics.nodeHints]: NodeHint;
  readonly [Topics.deadLetters]: DeadLetter;
}
/** Topics with a record type and a decoder. */
export type DecodableTopic = keyof RecordByTopic;

/** Decoder of each decodable topic's values (UTF-8 JSON strings). Never throws. */
export const DECODERS_BY_TOPIC: { readonly [T in DecodableTopic]: (raw: string) => Result<RecordByTopic[T]> } = {
  [Topics.gpuSamples]: decodeGpuSampleBatch,
  [Topics.podEvents]: decodePodEvent,
  [Topics.modelServerSamples]: decodeModelServerSample,
  [Topics.costLedger]: decodeCostLedgerRow,
  [Topics.alerts]: decodeAlert,
  [Topics.nodeHints]: decodeNodeHint,
  [Topics.deadLetters]: decodeDeadLetter,
};

/** Whether `topic` has a decoder (narrows a topic name read from a DeliveredRecord). */
export const isDecodableTopic = (topic: string): topic is DecodableTopic => Object.hasOwn(DECODERS_BY_TOPIC, topic);
