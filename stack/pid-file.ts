import { readFile, rm, writeFile } from 'node:fs/promises';

/** The pid recorded in `file`, or null when there is none (missing, empty, garbage). */
export async function readPidFile(file: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

export const writePidFile = (file: string, pid: number): Promise<void> => writeFile(file, `${pid}\n`);

export const removePidFile = (file: string): Promise<void> => rm(file, { force: true });

/**
 * True when `pid` is a live (not zombie) process whose command line contains every `marker`
 * argument. This is what makes a pid "ours": a recycled pid running something else never matches,
 * so the stack never signals a process it did not start.
 */
export async function isOurProcess(pid: number, markers: readonly string[]): Promise<boolean> {
  try {
    // Field 3 of /proc/<pid>/stat is the state; after the ')' that ends the command name.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return markers.every((marker) => args.includes(marker));
  } catch {
    return false;
  }
}

/** True while `pid` exists and is not a zombie (a zombie has already exited; only its parent has not reaped it). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
