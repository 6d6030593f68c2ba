import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCliDemo } from '../cli-demo.ts';

const chdbDir = mkdtempSync(join(tmpdir(), 'gpu-ledger-cli-'));
describeCliDemo('embedded', () => ({ GPU_LEDGER_MODE: 'embedded', GPU_LEDGER_CHDB_DIR: chdbDir }));
