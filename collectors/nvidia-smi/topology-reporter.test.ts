import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../test/helpers/fixtures.ts';
import { startTopologyReporter } from './topology-reporter.ts';

const DGX_A100 = readFixture('topo', '03-gengwg-cheatsheets-dgx-a100.txt');
const HGX_H100 = readFixture('topo', '05-mystous-vllm-hybrid-h100-ansi.txt');

describe('the agent’s topology report', () => {
  it('publishes at start, not again while unchanged, again on change, and retries after a failure', async () => {
    let text = DGX_A100;
    let failNext = false;
    const published: string[] = [];
    const reporter = startTopologyReporter(
      {
        readTopology: async () => text,
        publish: async (islands) => {
          if (failNext) throw new Error('API server down');
          published.push(islands);
        },
        logger: pino({ level: 'silent' }),
      },
      3_600_000,
    );
    expect(await reporter.check()).toBe('0,1;2,3;4,5;6,7|0,1,2,3,4,5,6,7');
    await reporter.check();
    expect(published).toEqual(['0,1;2,3;4,5;6,7|0,1,2,3,4,5,6,7']);
    text = HGX_H100;
    failNext = true;
    expect(await reporter.check()).toBe('0,1;2,3;4,5;6,7|0,1,2,3,4,5,6,7'); // still the old one
    failNext = false;
    expect(await reporter.check()).toBe('0,1,2,3;4,5,6,7|0,1,2,3,4,5,6,7');
    expect(published).toHaveLength(2);
    text = 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.';
    expect(await reporter.check()).toBe('0,1,2,3;4,5,6,7|0,1,2,3,4,5,6,7');
    reporter.close();
  });
});
