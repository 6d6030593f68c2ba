import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CaptureFormat, isCaptureFormat } from '../../collectors/inspect/detect-format.ts';
import { inspectCapture } from '../../collectors/inspect/inspect-capture.ts';

const FORMATS = Object.values(CaptureFormat).join(', ');

function formatOption(value: string): CaptureFormat {
  if (!isCaptureFormat(value)) throw new InvalidArgumentError(`expected one of ${FORMATS}`);
  return value;
}

/** Inspects one file; returns the JSON lines to print, or throws with why the file gives nothing. */
async function inspectFile(
  file: string,
  format: CaptureFormat | undefined,
  nowMs: number,
): Promise<{ lines: string[]; warnings: readonly string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const result = inspectCapture(text, format === undefined ? { nowMs } : { format, nowMs });
  if (result.records.length === 0 && result.errors.length > 0)
    throw new Error(`no records as ${result.format}: ${result.errors.join('; ')}`);
  return {
    lines: result.records.map((r) => JSON.stringify({ file, format: result.format, type: r.type, record: r.value })),
    warnings: result.errors,
  };
}

/**
 * `gpu-ledger inspect FILE... [--format F]`: prints the records a captured output normalises to,
 * one JSON object per line on stdout (`{file, format, type, record}`); partial problems go to
 * stderr as warnings. A file that cannot be read, whose format is unknown, or that yields only
 * errors is named on stderr with the reason, and the command exits 1 after the other files.
 */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description(
      'parse captured telemetry (nvidia-smi, DCGM, vLLM/Triton/TGI, kernel log, cgroup) and print normalised records as JSON lines',
    )
    .argument('<file...>', 'captured outputs to inspect')
    .option('--format <format>', `skip detection and parse as: ${FORMATS}`, formatOption)
    .action(async (files: string[], options: { format?: CaptureFormat }) => {
      // `inspect … | head` closes stdout early: stop printing instead of crashing on EPIPE.
      let stdoutClosed = false;
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        stdoutClosed = true;
      });
      const failed: string[] = [];
      for (const file of files) {
        try {
          const { lines, warnings } = await inspectFile(file, options.format, Date.now());
          if (lines.length > 0 && !stdoutClosed) process.stdout.write(`${lines.join('\n')}\n`);
          for (const w of warnings) process.stderr.write(`gpu-ledger inspect: ${file}: warning: ${w}\n`);
        } catch (error) {
          process.stderr.write(
            `gpu-ledger inspect: ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          failed.push(file);
        }
      }
      if (failed.length > 0)
        throw new Error(
          `inspect: ${failed.length} of ${files.length} file(s) could not be parsed: ${failed.join(', ')}`,
        );
    });
}
