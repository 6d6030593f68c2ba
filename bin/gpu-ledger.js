#!/usr/bin/env node
// The gpu-ledger command. Runs the TypeScript sources through tsx's loader (no build step), except
// `gpu-ledger agent` when dist/ holds a build of the current sources (`npm run build`): the per-host
// agent then runs as plain JavaScript, without the loader's thread and transforms (~50 MB less RSS,
// under half the start-up CPU; bench/agent.ts). Only the agent uses dist/: other commands read files that
// sit next to their sources (SQL migrations, the price catalog, the stack's files).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DIST = join(ROOT, 'dist');

/** True when dist/cli/main.js exists and every compiled file is at least as new as its source. */
function distIsCurrent() {
  let entries;
  try {
    entries = readdirSync(DIST, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  const compiled = entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath, e.name));
  if (!compiled.includes(join(DIST, 'cli/main.js'))) return false;
  return compiled.every((js) => {
    const source = statSync(join(ROOT, relative(DIST, js)).replace(/\.js$/, '.ts'), { throwIfNoEntry: false });
    return source !== undefined && source.mtimeMs <= statSync(js).mtimeMs;
  });
}

if (process.argv[2] === 'agent' && distIsCurrent()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
