/**
 * The pod event tracker's state on disk (one JSON file, replaced atomically: write a temp file,
 * fsync, rename), so that an agent restart knows which pods it had seen and which transitions it
 * had already published. Read back with a schema: a missing file is an empty state; an unreadable or
 * invalid one is reported (the caller logs it and starts empty — the only loss is that deletions
 * during the downtime are not noticed).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { GpuRequestSchema, PodEventType, PodOwnerSchema } from '../../contracts/index.ts';
import type { TrackedPod } from './pod-event-tracker.ts';

const time = z.number().nullable();
const TrackedPodSchema = z.object({
  info: z.object({
    podUid: z.string().min(1),
    namespace: z.string(),
    podName: z.string(),
    node: z.string().nullable(),
    phase: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    owner: PodOwnerSchema.nullable(),
    gpuRequest: GpuRequestSchema,
    gpuUuids: z.array(z.string()),
    times: z.object({
      createdMs: time,
      scheduledMs: time,
      startedMs: time,
      finishedMs: time,
      deletionRequestedMs: time,
    }),
  }),
  emitted: z.array(z.enum(PodEventType)),
});
const StateFileSchema = z.object({ version: z.literal(1), pods: z.array(TrackedPodSchema) });

/** The tracked pods saved at `path`; [] when there is no file. Throws with the reason when it is unreadable or invalid. */
export async function loadTrackedPods(path: string): Promise<TrackedPod[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = StateFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `pod tracker state ${path} is invalid: ${parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .slice(0, 3)
        .join('; ')}`,
    );
  return parsed.data.pods;
}

/** Replaces the state at `path` with `pods`, atomically. */
export async function saveTrackedPods(path: string, pods: readonly TrackedPod[]): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(JSON.stringify({ version: 1, pods }));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}
