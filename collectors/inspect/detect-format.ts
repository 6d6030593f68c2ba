/** Captured outputs `gpu-ledger inspect` understands. */
export const CaptureFormat = {
  nvidiaSmiXml: 'nvidia-smi-xml',
  nvidiaSmiGpuCsv: 'nvidia-smi-gpu-csv',
  nvidiaSmiAppsCsv: 'nvidia-smi-apps-csv',
  dcgm: 'dcgm',
  dcgmCounters: 'dcgm-counters',
  vllm: 'vllm',
  triton: 'triton',
  tgi: 'tgi',
  xid: 'xid',
  cgroup: 'cgroup',
} as const;
export type CaptureFormat = (typeof CaptureFormat)[keyof typeof CaptureFormat];

export const isCaptureFormat = (s: string): s is CaptureFormat =>
  (Object.values(CaptureFormat) as string[]).includes(s);

const HEADER_CELL = /^[a-z][a-z0-9_.]*(?: \[[^\]]+\])?$/i;
const APP_FIELDS = new Set(['pid', 'process_name', 'used_gpu_memory', 'used_memory', 'gpu_uuid']);
const COUNTER_LINE = /^#?\s*[A-Za-z_][A-Za-z0-9_]*\s*,\s*(gauge|counter|label|histogram|summary)\s*,/;

/** Metric names at the start of sample or HELP/TYPE lines. */
function metricNames(lines: readonly string[]): string[] {
  return lines.flatMap((l) => {
    const m = /^(?:# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(l);
    return m?.[1] && (!l.startsWith('#') || /^# (HELP|TYPE) /.test(l)) ? [m[1]] : [];
  });
}

/**
 * Says which captured output `text` is, from its content alone (file names are not trusted), or
 * why it cannot tell. Pure. Order matters: XML and CSV shapes first, then the Prometheus families
 * by metric-name prefix (a page that has vLLM metrics is vLLM even if it also has process_* ones),
 * then kernel-log Xid lines, then cgroup lines.
 */
export function detectCaptureFormat(text: string): { readonly format: CaptureFormat } | { readonly error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'the file is empty' };
  if (
    /^(<\?xml|<!DOCTYPE nvidia_smi_log|<nvidia_smi_log)/.test(trimmed) ||
    /<nvidia_smi_log[\s>]/.test(trimmed.slice(0, 4096))
  )
    return { format: CaptureFormat.nvidiaSmiXml };
  const lines = trimmed
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const header = (lines[0] ?? '').split(', ');
  if (header.every((c) => HEADER_CELL.test(c.trim())) && !(lines[0] ?? '').includes(' ,')) {
    const names = header.map((c) => c.replace(/ \[.*$/, ''));
    if (names.includes('pid') && names.some((n) => APP_FIELDS.has(n) && n !== 'pid'))
      return { format: CaptureFormat.nvidiaSmiAppsCsv };
    if (names.some((n) => n.includes('.') || n === 'uuid' || n === 'name' || n === 'index'))
      return { format: CaptureFormat.nvidiaSmiGpuCsv };
  }
  const counterLines = lines.filter((l) => COUNTER_LINE.test(l)).length;
  if (counterLines > 0 && lines.every((l) => l.startsWith('#') || COUNTER_LINE.test(l)))
    return { format: CaptureFormat.dcgmCounters };
  const names = metricNames(lines);
  if (names.some((n) => n.startsWith('vllm:'))) return { format: CaptureFormat.vllm };
  if (names.some((n) => n.startsWith('tgi_'))) return { format: CaptureFormat.tgi };
  if (names.some((n) => n.startsWith('nv_inference_') || n.startsWith('nv_gpu_')))
    return { format: CaptureFormat.triton };
  if (names.some((n) => n.startsWith('DCGM_FI_') || n.startsWith('dcgm_'))) return { format: CaptureFormat.dcgm };
  if (lines.some((l) => l.includes('NVRM: Xid'))) return { format: CaptureFormat.xid };
  if (lines.every((l) => /^\d+:[^:]*:\//.test(l))) return { format: CaptureFormat.cgroup };
  return {
    error:
      'not a format gpu-ledger knows (nvidia-smi XML or CSV, DCGM metrics or counters, vLLM / Triton / TGI metrics, a kernel log with Xid lines, a /proc/<pid>/cgroup file)',
  };
}
