import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { inspectCapture } from '../../collectors/inspect/inspect-capture.ts';
import { loadPriceCatalog } from '../../pipeline/cost/load-price-catalog.ts';
import { createPriceLookup } from '../../pipeline/cost/price-lookup.ts';
import type { AlertRecord } from '../../pipeline/rules/alert-record.ts';
import { replayRules } from '../../pipeline/rules/evaluate-rules.ts';
import { loadRulesConfig } from '../../pipeline/rules/rules-config.ts';
import { parsePodSeriesCsv, podSeriesKeyColumn } from '../../sim/pod-series-csv.js';
import type { CliContext } from '../context.ts';
import { captureRuleInputs, dataInstants, type CaptureInput } from '../rules-check/capture-inputs.ts';

interface CheckOptions {
  readonly rules?: string;
  readonly at?: string;
  readonly gpuModel?: string;
  readonly share: string;
}

/** Reads one file (gzip or plain) into a parsed input; throws with why it gives nothing. */
async function readInput(
  file: string,
  nowMs: number,
): Promise<{ input: CaptureInput; records: number; warnings: string[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  if (podSeriesKeyColumn(text.slice(0, text.indexOf('\n') >>> 0)) !== null) {
    const { series, errors } = parsePodSeriesCsv(text);
    const over = [...series.values()].flat().find(([, v]) => v > 100);
    if (over !== undefined)
      throw new Error(
        `a value of ${over[1]} is not a utilization percentage (memory series are not checked by the rules)`,
      );
    return {
      input: { kind: 'pod-series', file, series },
      records: [...series.values()].flat().length,
      warnings: errors,
    };
  }
  const result = inspectCapture(text, { nowMs });
  if (result.records.length === 0 && result.errors.length > 0)
    throw new Error(`no records as ${result.format}: ${result.errors.join('; ')}`);
  return { input: { kind: 'capture', file, result }, records: result.records.length, warnings: [...result.errors] };
}

/** The JSON line of one alert that would fire. */
export function alertLine(a: AlertRecord): string {
  return JSON.stringify({
    rule: a.rule,
    severity: a.severity,
    gpu: a.labels['gpu'] || null,
    pod: a.labels['pod'] || null,
    key: Object.entries(a.labels)
      .filter(([k, v]) => k !== 'alertname' && k !== 'severity' && v !== '')
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    startsAt: new Date(a.activeAtMs).toISOString(),
    firesAt: new Date(a.firedAtMs ?? a.evaluatedAtMs).toISOString(),
    summary: a.summary,
    evidence: a.evidence,
    rows: a.rows,
  });
}

/** `gpu-ledger rules check FILE...`: what the rules would raise over captured files. */
export function registerRulesCommand(program: Command, ctx: CliContext): void {
  const rules = program.command('rules').description('anomaly rules (docs/rules.md)');
  rules
    .command('check')
    .description(
      'evaluate the rules over captured files (nvidia-smi, DCGM, kernel logs with Xids, per-pod utilization CSVs, gzip or plain) and print one JSON line per alert that would fire, then a summary line',
    )
    .argument('<file...>', 'captured outputs and series')
    .option('--rules <file>', 'rules YAML to test (default GPU_LEDGER_RULES, else the built-in rules)')
    .option('--at <time>', 'the time of captures that carry none (nvidia-smi, DCGM snapshots); default now')
    .option('--gpu-model <name>', "price the series' pods at this GPU model's on-demand catalog price ($ burned)")
    .option('--share <gpus>', 'GPUs each series pod holds', '1')
    .action(async (files: string[], o: CheckOptions) => {
      const config = ctx.config();
      const rulesConfig = loadRulesConfig(o.rules ?? config.rulesPath);
      const nowMs = o.at === undefined ? Date.now() : Date.parse(o.at);
      if (Number.isNaN(nowMs)) throw new Error(`--at: not a time: "${o.at}"`);
      const share = Number(o.share);
      if (!(share > 0)) throw new Error(`--share must be a positive number of GPUs, got "${o.share}"`);
      const usdPerGpuHour =
        o.gpuModel === undefined
          ? null
          : createPriceLookup(loadPriceCatalog(config.priceCatalogPath ?? undefined)).priceAt(
              { gpuModel: o.gpuModel, tier: 'on-demand' },
              nowMs,
            ).usdPerGpuHour;
      const inputs: CaptureInput[] = [];
      const failed: string[] = [];
      let records = 0;
      for (const file of files) {
        try {
          const r = await readInput(file, nowMs);
          inputs.push(r.input);
          records += r.records;
          for (const w of r.warnings) process.stderr.write(`gpu-ledger rules check: ${file}: warning: ${w}\n`);
        } catch (error) {
          process.stderr.write(`gpu-ledger rules check: ${file}: ${(error as Error).message}\n`);
          failed.push(file);
        }
      }
      const ruleInputs = captureRuleInputs(inputs, { share, usdPerGpuHour });
      const instants = dataInstants(ruleInputs);
      const { notifications, open } = replayRules(rulesConfig, ruleInputs, instants);
      const fired = notifications.filter((n) => n.state === 'firing');
      for (const a of fired) process.stdout.write(`${alertLine(a)}\n`);
      const byRule: Record<string, number> = {};
      for (const a of fired) byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
      process.stdout.write(
        `${JSON.stringify({
          summary: {
            files: files.length - failed.length,
            failedFiles: failed,
            records,
            evaluations: instants.length,
            alerts: fired.length,
            byRule,
            pendingAtEnd: open.filter((a) => a.state === 'pending').length,
            rules: rulesConfig.rules.map((r) => r.spec.name),
          },
        })}\n`,
      );
      if (failed.length > 0)
        throw new Error(`rules check: ${failed.length} of ${files.length} file(s) could not be read`);
    });
}
