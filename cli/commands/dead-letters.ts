import type { Command } from 'commander';
import { ConfigError } from '../../contracts/config-error.ts';
import { executeRedrive, planRedrive } from '../../pipeline/ingest/dead-letter-redrive.ts';
import {
  countByReason,
  filterDeadLetters,
  readDeadLetters,
  type DeadLetterFilter,
  type ListedDeadLetter,
} from '../../pipeline/ingest/dead-letter-reader.ts';
import { reasonCategory } from '../../pipeline/ingest/dead-letters.ts';
import { createKafkaAdmin } from '../../bus/kafka-admin.ts';
import type { AppConfig } from '../config.ts';
import { formatTable } from '../format-table.ts';
import type { CliContext } from '../context.ts';
import { createBus } from '../wiring.ts';
import { parseDuration } from '../parse-duration.ts';

interface ReadOptions {
  readonly since?: string;
  readonly reason?: string;
  readonly waitMs: string;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Reads the dead-letter topic (distributed mode: Kafka) and applies --since / --reason. */
async function listFiltered(
  ctx: CliContext,
  options: ReadOptions,
): Promise<{ config: AppConfig; letters: ListedDeadLetter[]; undecodable: number; complete: boolean }> {
  const config = ctx.config();
  if (config.mode !== 'distributed') {
    throw new ConfigError([
      'gpu-ledger deadletters reads the Kafka dead-letter topic: set GPU_LEDGER_MODE=distributed (in embedded mode dead letters live only inside the running process)',
    ]);
  }
  const problems: string[] = [];
  let filter: DeadLetterFilter = options.reason === undefined ? {} : { reason: options.reason };
  if (options.since !== undefined) {
    try {
      filter = { ...filter, sinceMs: Date.now() - parseDuration(options.since) };
    } catch (error) {
      problems.push(`--since: ${(error as Error).message}`);
    }
  }
  const maxWaitMs = Number(options.waitMs);
  if (!Number.isSafeInteger(maxWaitMs) || maxWaitMs <= 0)
    problems.push(`--wait-ms must be a positive integer, got "${options.waitMs}"`);
  if (problems.length > 0) throw new ConfigError(problems);
  const logger = ctx.logger('deadletters', 'warn');
  const bus = createBus(config, logger, 'deadletters');
  const offsets = createKafkaAdmin({
    brokers: config.kafkaBrokers,
    clientId: 'deadletters',
    topicPrefix: config.topicPrefix,
  });
  try {
    const read = await readDeadLetters(
      { bus, offsets },
      { groupId: `gpu-ledger-deadletters-${process.pid}-${Date.now()}`, idleMs: 2000, maxWaitMs },
    );
    return {
      config,
      letters: filterDeadLetters(read.letters, filter),
      undecodable: read.undecodable,
      complete: read.complete,
    };
  } finally {
    await offsets.close();
    await bus.close();
  }
}

/** `gpu-ledger deadletters list|redrive`: inspect rejected records, and publish them again after a fix. */
export function registerDeadLettersCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('deadletters')
    .description('inspect and redrive records the pipeline rejected (the dead-letter topic)');
  const readFlags = (c: Command) =>
    c
      .option('--since <duration>', 'only letters that failed within this look-back, e.g. 15m, 2h, 7d')
      .option(
        '--reason <text>',
        'a reason category (invalid-json, store-rejected, invalid:<field>) or text the reason contains',
      )
      .option('--wait-ms <ms>', 'give up reading the topic after this long', '30000');

  readFlags(command.command('list').description('list dead letters with their reason and source position'))
    .option('--json', 'one JSON dead letter per line')
    .action(async (options: ReadOptions & { json?: boolean }) => {
      const { letters, undecodable, complete } = await listFiltered(ctx, options);
      if (options.json) {
        for (const l of letters)
          console.log(JSON.stringify({ ...l.letter, deadLetterPartition: l.partition, deadLetterOffset: l.offset }));
        return;
      }
      console.log(
        formatTable(
          ['failed at', 'source', 'category', 'reason'],
          letters.map(({ letter }) => [
            new Date(letter.failedAtMs).toISOString(),
            `${letter.sourceTopic}/${letter.partition}@${letter.offset}`,
            reasonCategory(letter.reason),
            clip(letter.reason, 90),
          ]),
        ),
      );
      console.log(
        `\n${letters.length} dead letters${countByReason(letters)
          .map(([c, n]) => `, ${c}: ${n}`)
          .join(
            '',
          )}${undecodable > 0 ? ` (${undecodable} undecodable records skipped)` : ''}${complete ? '' : ' (stopped before the end of the topic: raise --wait-ms)'}`,
      );
    });

  readFlags(
    command
      .command('redrive')
      .description('publish the original payloads again to their source topics (after a fix); idempotent'),
  )
    .option('--dry-run', 'show what would be published, publish nothing')
    .action(async (options: ReadOptions & { dryRun?: boolean }) => {
      const { config, letters } = await listFiltered(ctx, options);
      const plan = planRedrive(letters);
      const lines = [...plan.byTopic].map(([topic, records]) => `  ${topic}: ${records.length}`);
      const skipped = `${plan.duplicates} duplicate payloads, ${plan.skippedTruncated} truncated payloads skipped`;
      if (options.dryRun) {
        console.log(
          `dry run: would redrive ${[...plan.byTopic.values()].reduce((n, r) => n + r.length, 0)} of ${letters.length} dead letters\n${lines.join('\n')}\n${skipped}`,
        );
        return;
      }
      const bus = createBus(config, ctx.logger('deadletters', 'warn'), 'deadletters-redrive');
      try {
        const sent = await executeRedrive(bus, plan);
        console.log(`redrove ${sent} of ${letters.length} dead letters\n${lines.join('\n')}\n${skipped}`);
      } finally {
        await bus.close();
      }
    });
}
