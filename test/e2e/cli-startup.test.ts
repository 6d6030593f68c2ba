import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('gpu-ledger command start-up', () => {
  it('declaring every command loads neither chDB nor the ClickHouse client (the agent must not pay for them)', () => {
    // Import the CLI's command registrations the way main.ts does, then list the loaded modules.
    const script = `
      import { Command } from 'commander';
      const program = new Command();
      const ctx = { config: () => { throw new Error('unused'); }, logger: () => { throw new Error('unused'); }, env: {} };
      for (const [file, fn] of [['agent', 'registerAgentCommand'], ['pipeline', 'registerPipelineCommand'], ['query', 'registerQueryCommand'],
                                ['demo', 'registerDemoCommand'], ['inspect', 'registerInspectCommand'], ['cost', 'registerCostCommand'], ['dead-letters', 'registerDeadLettersCommand']]) {
        const mod = await import('./cli/commands/' + file + '.ts');
        mod[fn](program, ctx);
      }
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(loaded.filter((p) => /node_modules\\/(chdb|@chdb|@clickhouse)\\//.test(p))));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([]);
  }, 60_000);
});
