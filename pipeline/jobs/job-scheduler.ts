import type { Logger } from 'pino';
import type { ScheduledJob } from './scheduled-job.ts';

export interface JobSchedule {
  readonly job: ScheduledJob;
  /** Pause between the end of one run and the start of the next. */
  readonly intervalMs: number;
}

export interface JobScheduler {
  start(): void;
  /** Stops scheduling and waits for runs in progress. Idempotent. */
  close(): Promise<void>;
}

export interface JobRunReport {
  readonly job: string;
  readonly ok: boolean;
  readonly durationMs: number;
}

/**
 * Runs each job at once on start, then `intervalMs` after each run ends (never two runs of one job
 * at a time). A failed run is logged and retried at the next tick: the jobs are idempotent.
 */
export function createJobScheduler(
  deps: { readonly logger: Logger; readonly now: () => number; readonly onRun?: (report: JobRunReport) => void },
  schedules: readonly JobSchedule[],
): JobScheduler {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const runOnce = async ({ job, intervalMs }: JobSchedule): Promise<void> => {
    const started = deps.now();
    try {
      const counts = await job.run();
      deps.onRun?.({ job: job.name, ok: true, durationMs: deps.now() - started });
      deps.logger.debug({ job: job.name, durationMs: deps.now() - started, ...counts }, 'job ran');
    } catch (error) {
      deps.onRun?.({ job: job.name, ok: false, durationMs: deps.now() - started });
      deps.logger.error({ err: error, job: job.name }, 'job failed; it runs again at the next tick');
    }
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      track(runOnce({ job, intervalMs }));
    }, intervalMs);
    timers.add(timer);
  };

  const track = (run: Promise<void>): void => {
    running.add(run);
    void run.finally(() => running.delete(run));
  };

  return {
    start() {
      for (const schedule of schedules) track(runOnce(schedule));
    },
    async close() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
