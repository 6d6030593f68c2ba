import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './pid-file.ts';
import { StackError } from './stack-error.ts';
import type { StackLogger } from './types.ts';

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL, holding our pid), so two
 * `stack` commands never start or stop the same service at once. A lock whose holder died is taken over.
 */
export async function withLock<T>(
  file: string,
  what: string,
  timeoutMs: number,
  log: StackLogger,
  fn: () => Promise<T>,
): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !(await isAlive(holder))) {
      await rm(file, { force: true }); // stale: its holder is gone
      continue;
    }
    if (Date.now() > deadline) throw new StackError(what, `another stack command (pid ${holder}) still holds ${file}`);
    if (!told) log.info(`${what}: waiting for another stack command (pid ${holder})…`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}
