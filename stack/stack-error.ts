/**
 * A stack operation failed (install, port check, start, health wait, stop). `step` names what was
 * being done; the message already carries the useful context (port, env var, log tail).
 */
export class StackError extends Error {
  override readonly name = 'StackError';
  readonly code = 'STACK_FAILED';

  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}
