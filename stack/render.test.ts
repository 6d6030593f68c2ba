import { describe, expect, it } from 'vitest';
import { renderTemplate } from './clickhouse-files.ts';
import { loadStackConfig } from './config.ts';
import { renderServerProperties } from './kafka-properties.ts';

describe('renderServerProperties', () => {
  it('binds the configured ports on 127.0.0.1, data in the run dir, RF=1 internal topics', () => {
    const config = loadStackConfig({
      GPU_LEDGER_RUN_DIR: '/tmp/r',
      GPU_LEDGER_KAFKA_PORT: '29092',
      GPU_LEDGER_KAFKA_CONTROLLER_PORT: '29093',
    });
    const props = renderServerProperties(config);
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093\n');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.1:29093\n');
    expect(props).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:29092\n');
    expect(props).toContain('log.dirs=/tmp/r/kafka/data\n');
    for (const line of [
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'auto.create.topics.enable=true',
      'group.initial.rebalance.delay.ms=0',
      'num.partitions=1',
    ]) {
      expect(props).toContain(`${line}\n`);
    }
  });
});

describe('renderTemplate', () => {
  it('fills placeholders XML-escaped and refuses unknown ones', () => {
    expect(renderTemplate('<path>{{DIR}}/data/</path><p>{{PORT}}</p>', { DIR: '/a&b<c>', PORT: 1 })).toBe(
      '<path>/a&amp;b&lt;c&gt;/data/</path><p>1</p>',
    );
    expect(() => renderTemplate('{{NOPE}}', {})).toThrow('{{NOPE}}');
  });
});
