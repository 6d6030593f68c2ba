/**
 * Resolves on the first SIGTERM or SIGINT (the interactive demo's cue to stop serving). The long-running
 * services (agent, pipeline, api) use cli/shutdown.ts instead: a deadline, a second signal, bounded steps.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
