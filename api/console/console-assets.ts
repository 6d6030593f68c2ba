/**
 * The built-in web console's assets: web/main.ts and uPlot bundled by esbuild in-process, once per
 * process (the first call starts the build, every later one gets the same result from memory), so a
 * fresh clone serves the console with no separate build step.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface ConsoleAssets {
  readonly js: string;
  readonly css: string;
}

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'web', 'main.ts');

let cached: Promise<ConsoleAssets> | null = null;

async function bundle(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    target: 'es2022',
    outdir: 'console',
    logLevel: 'silent',
  });
  const text = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: text('.js'), css: text('.css') };
}

/** The bundle, built on the first call; a failed build is retried on the next call. */
export function consoleAssets(): Promise<ConsoleAssets> {
  cached ??= bundle().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}
