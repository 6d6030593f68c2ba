/** Topic names: `<domain>.<record>.v<N>`; a breaking change to a record is a new topic version. */
export const Topics = {
  gpuSamples: 'telemetry.gpu-samples.v1',
  podEvents: 'kube.pod-events.v1',
  modelServerSamples: 'telemetry.model-server-samples.v1',
  costLedger: 'cost.ledger.v1',
  alerts: 'anomaly.alerts.v1',
  /** Per-node hints for the scheduler extender (NodeHint, key `<cluster>/<node>`), created compacted. */
  nodeHints: 'optimize.node-hints.v1',
  deadLetters: 'pipeline.dead-letters.v1',
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];

/**
 * Topics the ingest pipeline consumes into the store. GPU process → pod bindings travel inside
 * the GPU sample batch (`processes`), observed in the same pass as the samples, so they need no topic.
 */
export const INGEST_TOPICS: readonly Topic[] = [Topics.gpuSamples, Topics.podEvents, Topics.modelServerSamples];
