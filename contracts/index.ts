/** The contracts module: record types, decoders, topic names, bus interface. Imports nothing else of the project. */
export * from './alert.ts';
export * from './bus.ts';
export * from './config-error.ts';
export * from './cost-ledger-row.ts';
export * from './dead-letter.ts';
export * from './decode.ts';
export * from './examples.ts';
export * from './fields.ts';
export * from './gpu-sample-batch.ts';
export * from './model-server-sample.ts';
export * from './sample-counters.ts';
export * from './node-hint.ts';
export * from './pod-event.ts';
export * from './recommendation.ts';
export * from './result.ts';
export * from './topic-decoders.ts';
export * from './topics.ts';
