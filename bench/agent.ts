/**
 * Figure for issue 3: the agent's own cost sampling 8 GPUs at 1 Hz through the nvidia-smi CSV fast
 * path (the fake nvidia-smi in loop mode replaying a real H100 capture, utilization from gentd26),
 * producing to the local Kafka through its disk spool. Runs the real `gpu-ledger agent` command as a
 * child process, as deployed: `npm run build` first, so bin/gpu-ledger.js runs the agent from dist/
 * (BENCH_AGENT_RUNTIME=tsx runs the same sources through tsx instead, for comparison). Reads the
 * agent's CPU time and RSS from /proc; nvidia-smi (here the fake) runs in processes of its own, so
 * its cost is excluded, as the issue asks. Needs `gpu-ledger stack up`.
 *
 * The figure is the steady state of a long-running agent: BENCH_SECONDS=60 measured after a 45 s
 * warm-up (BENCH_WARMUP_SECONDS), while /metrics is scraped every 15 s as Prometheus would. The
 * warm-up holds the one-time costs, printed apart: start-up (CPU until the first sample), V8's
 * post-start heap reduction (two full collections about 15 s in) and the optimising compiler's
 * first passes over the hot functions. BENCH_RUNS=3: each run is printed and the figure is their
 * median. Prints, last: `agent: <cpu>% of one core, <rss> MB RSS`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/helpers/private-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CAPTURES = resolve(ROOT, '../shared/fixtures/telemetry/nvidia-smi-csv');
const seconds = Number(process.env['BENCH_SECONDS'] ?? 60);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const runtime = process.env['BENCH_AGENT_RUNTIME'] === 'tsx' ? 'tsx' : 'dist';
const warmupSeconds = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 45);
const SCRAPE_EVERY_S = 15;
const CLK_TCK = 100; // Linux USER_HZ

const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime of the process itself, not its children
};
const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

if (runtime === 'dist') {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed: the agent would run through tsx, not as deployed');
}
// bin/gpu-ledger.js picks dist/ for `agent` when it is current; the tsx runtime is the same entry through tsx's loader.
const command =
  runtime === 'dist'
    ? [join(ROOT, 'bin/gpu-ledger.js'), 'agent']
    : ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'agent'];

async function measure(run: number): Promise<{ cpuPct: number; rssMb: number }> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-agent-spool-'));
  const port = await freePort();
  const metric = async (name: string) =>
    Number(
      new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(
        await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
      )?.[1] ?? NaN,
    );
  const startedMs = performance.now();
  const child = spawn(process.execPath, command, {
    cwd: ROOT,
    env: {
      ...process.env,
      GPU_LEDGER_GPU_SOURCE: 'nvidia-smi-csv',
      GPU_LEDGER_NVIDIA_SMI: join(ROOT, 'bin/fake-nvidia-smi.js'),
      FAKE_NVIDIA_SMI_CSV: join(
        CAPTURES,
        'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-gpu.csv',
      ),
      FAKE_NVIDIA_SMI_APPS_CSV: join(
        CAPTURES,
        'nvgpuexp__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-compute-apps.csv',
      ),
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
    console.log(
      `run ${run}: agent pid ${pid} (${runtime}): warming up ${warmupSeconds} s, then measuring ${seconds} s…`,
    );
    let startup = '';
    while (performance.now() - startedMs < warmupSeconds * 1000) {
      await sleep(100);
      if (startup === '' && (await metric('gpu_ledger_agent_samples_total').catch(() => NaN)) > 0) {
        startup = `start-up: first samples after ${((performance.now() - startedMs) / 1000).toFixed(1)} s, ${cpuSeconds(pid).toFixed(2)} s CPU, ${rssMb(pid).toFixed(0)} MB RSS`;
      }
    }
    console.log(startup || 'start-up: no sample during the warm-up');
    const samples0 = await metric('gpu_ledger_agent_samples_total');
    const [cpu0, wall0, load0] = [cpuSeconds(pid), performance.now(), loadavg()[0]!];
    console.log(
      `warm-up: ${cpu0.toFixed(2)} s CPU in the first ${((wall0 - startedMs) / 1000).toFixed(0)} s (start-up included)`,
    );
    let maxRss = 0;
    let samples1 = samples0;
    const slices: string[] = []; // CPU per 15 s: shows one-time work (V8's post-start heap reduction) apart from the steady state
    let [cpuSlice, wallSlice] = [cpu0, wall0];
    for (let s = 1; s <= seconds; s++) {
      await sleep(1000);
      maxRss = Math.max(maxRss, rssMb(pid));
      if (s % SCRAPE_EVERY_S === 0) samples1 = await metric('gpu_ledger_agent_samples_total'); // a Prometheus scrape
      if (s % 15 === 0) {
        const [c, w] = [cpuSeconds(pid), performance.now()];
        slices.push(`${(((c - cpuSlice) / ((w - wallSlice) / 1000)) * 100).toFixed(2)}%`);
        [cpuSlice, wallSlice] = [c, w];
      }
    }
    const [cpu1, wall1] = [cpuSeconds(pid), performance.now()];
    const delivered = await metric('gpu_ledger_agent_spool_delivered_records_total');
    const cpuPct = ((cpu1 - cpu0) / ((wall1 - wall0) / 1000)) * 100;
    console.log(
      `GPU samples taken while measuring: ${samples1 - samples0} (8 GPUs × ~${seconds} ticks); batches delivered to Kafka so far: ${delivered}`,
    );
    console.log(`CPU per 15 s: ${slices.join(' ')}`);
    console.log(
      `run ${run}: ${cpuPct.toFixed(2)}% of one core, ${maxRss.toFixed(0)} MB RSS (load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)})`,
    );
    return { cpuPct, rssMb: maxRss };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

const results = [];
for (let run = 1; run <= runs; run++) results.push(await measure(run));
if (runs > 1) console.log(`median of ${runs} runs (${runtime}):`);
console.log(
  `agent: ${median(results.map((r) => r.cpuPct)).toFixed(2)}% of one core, ${median(results.map((r) => r.rssMb)).toFixed(0)} MB RSS`,
);
