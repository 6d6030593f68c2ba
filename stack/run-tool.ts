import { execFile } from 'node:child_process';
import { StackError } from './stack-error.ts';
import { lastLines } from './log-tail.ts';

export interface RunToolOptions {
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs an external program with fixed arguments (never a shell). On failure throws a StackError
 * naming `step`, the command and the last lines of its output, so the reader sees why.
 */
export function runTool(
  step: string,
  file: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new StackError(step, `\`${file}\` not found on PATH`));
          return;
        }
        const why = error.killed
          ? `timed out after ${options.timeoutMs ?? 600_000} ms`
          : `exited with ${String(code ?? error.signal)}`;
        const tail = lastLines(`${stdout}\n${stderr}`, 25);
        reject(new StackError(step, `\`${[file, ...args].join(' ')}\` ${why}${tail ? `; last output:\n${tail}` : ''}`));
      },
    );
  });
}
