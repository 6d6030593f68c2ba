/** A job the pipeline runs on a schedule: a stable name and one idempotent run. */
export interface ScheduledJob {
  readonly name: string;
  /** One pass; resolves with counts for the log. Safe to repeat and to run in two processes at once. */
  run(): Promise<Readonly<Record<string, number>>>;
}
