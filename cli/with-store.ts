import type { TelemetryStore } from '../pipeline/store/telemetry-store.ts';
import type { CliContext } from './context.ts';
import { openStore } from './wiring.ts';

/** Opens the configured store (migrated), runs `fn` with it, and closes it whatever happens. */
export async function withStore<T>(ctx: CliContext, fn: (store: TelemetryStore) => Promise<T>): Promise<T> {
  const store = await openStore(ctx.config());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
