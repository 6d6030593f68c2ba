/**
 * Figure for issue 3: the agent's own cost sampling 8 GPUs at 1 Hz through the nvidia-smi CSV fast
 * path (the fake nvidia-smi replaying a real H100 capture, utilization from gentd26), producing to the
 * local Kafka through its disk spool. Runs the real `gpu-ledger agent` command as a child process and
 * reads its CPU time and RSS from /proc; the fake nvidia-smi runs in its own processes, so its cost is
 * excluded (as nvidia-smi's own cost is meant to be). Needs `gpu-ledger stack up`.
 * Run: `npm run bench:agent` (BENCH_SECONDS=60 by default, after a 15 s warm-up).
 * Prints, last: `agent: <cpu>% of one core, <rss> MB RSS`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/helpers/private-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CAPTURES = resolve(ROOT, '../shared/fixtures/telemetry/nvidia-smi-csv');
const seconds = Number(process.env['BENCH_SECONDS'] ?? 60);
const warmupSeconds = 15;
const CLK_TCK = 100; // Linux USER_HZ

const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime of the process itself, not its children
};
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const spoolDir = mkdtempSync(join(tmpdir(), 'bench-agent-spool-'));
const port = await freePort();
const child = spawn(process.execPath, [join(ROOT, 'bin/gpu-ledger.js'), 'agent'], {
  env: {
    ...process.env,
    GPU_LEDGER_GPU_SOURCE: 'nvidia-smi-csv',
    GPU_LEDGER_NVIDIA_SMI: join(ROOT, 'bin/fake-nvidia-smi.js'),
    FAKE_NVIDIA_SMI_CSV: join(CAPTURES, 'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-gpu.csv'),
    FAKE_NVIDIA_SMI_APPS_CSV: join(CAPTURES, 'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-compute-apps.csv'),
    FAKE_NVIDIA_SMI_GPUS: '8',
    FAKE_NVIDIA_SMI_TRACE_DIR: resolve(ROOT, '../shared/traces/gentd26'),
    GPU_LEDGER_SAMPLE_INTERVAL_MS: '1000',
    GPU_LEDGER_NODE: 'bench-agent-node',
    GPU_LEDGER_TOPIC_PREFIX: `bench-agent-${Date.now()}.`,
    GPU_LEDGER_SPOOL_DIR: spoolDir,
    GPU_LEDGER_AGENT_METRICS_ADDR: `127.0.0.1:${port}`,
    GPU_LEDGER_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const pid = child.pid!;
try {
  console.log(`agent pid ${pid}: warming up ${warmupSeconds} s, then measuring ${seconds} s…`);
  await sleep(warmupSeconds * 1000);
  const metric = async (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1] ?? NaN);
  const [cpu0, wall0, samples0] = [cpuSeconds(pid), performance.now(), await metric('gpu_ledger_agent_samples_total')];
  let maxRss = 0;
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    maxRss = Math.max(maxRss, rssMb(pid));
  }
  const [cpu1, wall1, samples1] = [cpuSeconds(pid), performance.now(), await metric('gpu_ledger_agent_samples_total')];
  const delivered = await metric('gpu_ledger_agent_spool_delivered_records_total');
  console.log(`GPU samples taken while measuring: ${samples1 - samples0} (8 GPUs × ~${seconds} ticks); batches delivered to Kafka so far: ${delivered}`);
  const cpuPct = ((cpu1 - cpu0) / ((wall1 - wall0) / 1000)) * 100;
  console.log(`agent: ${cpuPct.toFixed(2)}% of one core, ${maxRss.toFixed(0)} MB RSS`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(spoolDir, { recursive: true, force: true });
}
