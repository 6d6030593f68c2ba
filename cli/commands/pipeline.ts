import type { Command } from 'commander';
import { ConfigError } from '../../contracts/config-error.ts';
import { createIngestConsumer } from '../../pipeline/ingest/ingest-consumer.ts';
import { createStoreWriters } from '../../pipeline/ingest/store-writers.ts';
import type { CliContext } from '../main.ts';
import { untilSignal } from '../run-until-signal.ts';
import { createBus, openStore } from '../wiring.ts';

/** `gpu-ledger pipeline`: the ingest consumer group, from the bus into the telemetry store. */
export function registerPipelineCommand(program: Command, ctx: CliContext): void {
  program
    .command('pipeline')
    .description('run the ingest pipeline: consume telemetry topics into ClickHouse')
    .option('--group <id>', 'consumer group id', 'gpu-ledger-ingest')
    .action(async (options: { group: string }) => {
      const config = ctx.config();
      if (config.mode !== 'distributed') {
        throw new ConfigError(['gpu-ledger pipeline is the distributed-mode consumer: set GPU_LEDGER_MODE=distributed (embedded mode runs every component in one process, as `gpu-ledger demo` does)']);
      }
      const logger = ctx.logger('pipeline');
      const store = await openStore(config);
      const bus = createBus(config, logger, 'pipeline');
      const ingest = createIngestConsumer({ bus, writers: createStoreWriters(store, Date.now), logger, now: Date.now });
      await ingest.start({ groupId: options.group });
      logger.info({ mode: config.mode, group: options.group }, 'pipeline started');
      const signal = await untilSignal();
      logger.info({ signal, ...ingest.stats, deadLettersByReason: Object.fromEntries(ingest.stats.deadLettersByReason) }, 'pipeline stopping');
      await ingest.close();
      await bus.close();
      await store.close();
    });
}
