import type { TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import type { CliContext } from './context.ts';

/** Opens (and migrates) the configured store for one command, runs `fn`, closes it. */
export async function withStore<T>(ctx: CliContext, fn: (store: TelemetryStore) => Promise<T>): Promise<T> {
  const { openStore } = await import('./wiring.ts'); // chDB / the ClickHouse client load only when used
  const store = await openStore(ctx.config());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
