#!/usr/bin/env node
// A stand-in for nvidia-smi on machines without a GPU (demos, tests, benchmarks). It replays REAL
// captured outputs from shared/fixtures/telemetry and answers only the queries the agent makes,
// failing like the real tool on anything else. Environment:
//   FAKE_NVIDIA_SMI_XML        a captured `nvidia-smi -q -x` document          (for -q -x)
//   FAKE_NVIDIA_SMI_CSV        a captured `--query-gpu=… --format=csv` output   (for --query-gpu)
//   FAKE_NVIDIA_SMI_APPS_CSV   a captured `--query-compute-apps=…` output      (for --query-compute-apps)
//   FAKE_NVIDIA_SMI_GPUS       replicate the capture's first GPU to N GPUs (UUIDs and bus ids made unique)
//   FAKE_NVIDIA_SMI_TRACE_DIR  shared/traces/gentd26: GPU i's utilization and memory follow pod series
//                              number i (+ FAKE_NVIDIA_SMI_TRACE_OFFSET) at the trace time that the
//                              wall clock maps to (the 22.8 h trace loops).
// Loop mode, as the real tool: `-l SEC` / `--loop=SEC` / `-lms MS` / `--loop-ms=MS` after a CSV query
// keeps one process running and prints the rows again every interval (readings recomputed each
// time), the header line once at the start (none with `noheader`), no separator between intervals.
import { readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers';
import { traceReading } from '../sim/gentd26-trace.js';

const env = process.env;
const args = process.argv.slice(2);
const fail = (code, message) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
const captures = new Map(); // read once: loop mode replays the same capture every interval
const read = (name) => {
  const path = env[name];
  if (!path) fail(9, `fake-nvidia-smi: set ${name} to a captured nvidia-smi output file`);
  if (!captures.has(path)) captures.set(path, readFileSync(path, 'utf8'));
  return captures.get(path);
};
const gpuCount = (found) => Number(env.FAKE_NVIDIA_SMI_GPUS ?? found);
/** Unique but stable identity of replica i: the last byte of the UUID and the PCI bus number. */
const uuidFor = (uuid, i) =>
  i === 0 ? uuid : `${uuid.slice(0, -2)}${(i + 16).toString(16).padStart(2, '0').slice(-2)}`;
const busFor = (bus, i) =>
  i === 0 ? bus : bus.replace(/:([0-9A-Fa-f]{2}):/, `:${(0x40 + i).toString(16).toUpperCase()}:`);
const reading = (i, totalBytes) =>
  env.FAKE_NVIDIA_SMI_TRACE_DIR
    ? traceReading(
        env.FAKE_NVIDIA_SMI_TRACE_DIR,
        i + Number(env.FAKE_NVIDIA_SMI_TRACE_OFFSET ?? 0),
        Date.now(),
        totalBytes,
      )
    : null;

function xml() {
  const doc = read('FAKE_NVIDIA_SMI_XML');
  const gpus = doc.match(/<gpu id="[\s\S]*?<\/gpu>/g) ?? [];
  if (gpus.length === 0) return doc;
  const n = gpuCount(gpus.length);
  const out = [];
  for (let i = 0; i < n; i++) {
    let gpu = gpus[i % gpus.length];
    const uuid = /<uuid>(GPU-[^<]+)<\/uuid>/.exec(gpu)?.[1] ?? '';
    const bus = /<gpu id="([^"]+)"/.exec(gpu)?.[1] ?? '';
    if (i >= gpus.length) {
      gpu = gpu
        .split(uuid)
        .join(uuidFor(uuid, i))
        .split(bus)
        .join(busFor(bus, i))
        .replace(/<minor_number>\d+</, `<minor_number>${i}<`);
    }
    const totalMiB = Number(/<fb_memory_usage>\s*<total>(\d+) MiB/.exec(gpu)?.[1] ?? 0);
    // A GPU split into MIG instances is replayed as captured: a pod series describes a whole GPU.
    const r = gpu.includes('<mig_device>') ? null : reading(i, totalMiB * 1024 * 1024);
    if (r) {
      gpu = gpu.replace(/<gpu_util>\d+ %</, `<gpu_util>${Math.round(r.utilizationPct)} %<`);
      gpu = gpu.replace(
        /(<fb_memory_usage>[\s\S]*?<used>)\d+ MiB(<)/,
        `$1${Math.round(r.memoryUsedBytes / 1048576)} MiB$2`,
      );
    }
    out.push(gpu);
  }
  const head = doc.slice(0, doc.indexOf(gpus[0])).replace(/<attached_gpus>\d+</, `<attached_gpus>${n}<`);
  return `${head}${out.join('\n\t')}${doc.slice(doc.lastIndexOf(gpus[gpus.length - 1]) + gpus[gpus.length - 1].length)}`;
}

/** Splits a capture into header names (units stripped) and rows keyed by those names. */
function table(text) {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const names = header.split(', ').map((h) => h.replace(/ \[[^\]]*\]$/, '').trim());
  return lines.map((line) => Object.fromEntries(line.split(', ').map((v, i) => [names[i], v.trim()])));
}

function csv(kind, fields, format) {
  const rows = table(read(kind === 'gpu' ? 'FAKE_NVIDIA_SMI_CSV' : 'FAKE_NVIDIA_SMI_APPS_CSV'));
  const n = gpuCount(kind === 'gpu' ? rows.length : 1);
  const noUnits = format.includes('nounits');
  const strip = (v) => (noUnits ? v.replace(/ (%|MiB|W|MHz|C)$/, '') : v);
  const out = [];
  if (!format.includes('noheader')) out.push(fields.join(', '));
  for (let i = 0; i < n; i++) {
    for (const src of kind === 'gpu' ? [rows[i % rows.length]] : rows) {
      const row = {
        ...src,
        uuid: uuidFor(src.uuid ?? '', i),
        gpu_uuid: uuidFor(src.gpu_uuid ?? '', i),
        'pci.bus_id': busFor(src['pci.bus_id'] ?? '', i),
        index: String(i),
      };
      const r = kind === 'gpu' ? reading(i, Number.parseFloat(row['memory.total'] ?? '0') * 1048576) : null;
      if (r) {
        row['utilization.gpu'] = `${Math.round(r.utilizationPct)} %`;
        row['memory.used'] = `${Math.round(r.memoryUsedBytes / 1048576)} MiB`;
      }
      out.push(fields.map((f) => strip(row[f] ?? '[N/A]')).join(', '));
    }
  }
  return `${out.join('\n')}\n`;
}

/** The loop interval in ms from `-l SEC`, `--loop=SEC`, `-lms MS` or `--loop-ms=MS` (and the other args), or null. */
function loopFlag(all) {
  const rest = [];
  let intervalMs = null;
  for (let i = 0; i < all.length; i++) {
    const inline = /^--loop(-ms)?=(\d+)$/.exec(all[i]);
    if (inline) intervalMs = Number(inline[2]) * (inline[1] ? 1 : 1000);
    else if ((all[i] === '-l' || all[i] === '-lms') && /^\d+$/.test(all[i + 1] ?? ''))
      intervalMs = Number(all[++i]) * (all[i - 1] === '-l' ? 1000 : 1);
    else rest.push(all[i]);
  }
  return { intervalMs: intervalMs === 0 ? null : intervalMs, rest };
}

/** Prints the query every interval until killed; dies quietly when the reader goes away (as SIGPIPE ends the real one). */
function loop(kind, fields, format, intervalMs) {
  process.stdout.on('error', () => process.exit(0));
  const headerOnce = format.includes('noheader') ? format : `${format},noheader`;
  let first = !format.includes('noheader');
  const tick = () => {
    const text = csv(kind, fields, first ? format : headerOnce);
    first = false;
    process.stdout.write(text === '\n' ? '' : text);
    setTimeout(tick, intervalMs);
  };
  tick();
}

const { intervalMs, rest } = loopFlag(args);
const joined = rest.join(' ');
const query = /^--query-(gpu|compute-apps)=(\S+) --format=(\S+)$/.exec(joined);
if (joined === '-q -x' && intervalMs === null) process.stdout.write(xml());
else if (query && intervalMs !== null)
  loop(query[1] === 'gpu' ? 'gpu' : 'apps', query[2].split(','), query[3], intervalMs);
else if (query) process.stdout.write(csv(query[1] === 'gpu' ? 'gpu' : 'apps', query[2].split(','), query[3]));
else fail(2, `fake-nvidia-smi: unsupported arguments: ${args.join(' ')}`);
