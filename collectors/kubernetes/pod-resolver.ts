import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodResolver } from '../agent.ts';
import { parseCgroup } from './parse-cgroup.ts';

export interface PodResolverOptions {
  /** Where the host's /proc is visible (a DaemonSet mounts it, e.g. at /host/proc, with hostPID). Default `/proc`. */
  readonly procRoot?: string;
}

/** Read errors that mean "this process is gone or not ours to read", not a fault. */
const GONE = new Set(['ENOENT', 'ESRCH', 'ENOTDIR', 'EACCES', 'EPERM']);

/**
 * Maps a GPU process to its pod by reading `<procRoot>/<pid>/cgroup` (see parse-cgroup.ts).
 * Resolves null when the process is not in a pod (host process, plain Docker container), when the
 * pid has already exited (a GPU process list is a snapshot, so this is normal), or when its proc
 * entry cannot be read. Other I/O errors reject, and the agent then leaves the process unbound.
 */
export function createPodResolver(options: PodResolverOptions = {}): PodResolver {
  const procRoot = options.procRoot ?? '/proc';
  return async (pid) => {
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    let content: string;
    try {
      content = await readFile(join(procRoot, String(pid), 'cgroup'), 'utf8');
    } catch (error) {
      if (GONE.has((error as NodeJS.ErrnoException).code ?? '')) return null;
      throw error;
    }
    const identity = parseCgroup(content);
    return identity?.podUid ? { podUid: identity.podUid, containerId: identity.containerId } : null;
  };
}
