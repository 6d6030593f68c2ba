/** `withDeadline` gave up waiting: the work it was given may still be running. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * Settles as `work` does, or rejects with a DeadlineError naming `what` once `ms` have passed,
 * whichever comes first. The work is not cancelled (nothing generic can cancel a promise): a caller
 * that gives up abandons it, which is how every close on the shutdown path stays bounded.
 */
export function withDeadline<T>(what: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
