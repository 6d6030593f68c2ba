/**
 * A place alerts are delivered to (Alertmanager, a webhook). One adapter per kind of receiver
 * (alertmanager-receiver.ts, webhook-receiver.ts), all behind this interface; the delivery job
 * (delivery-job.ts) drives them from the outbox, retrying with backoff whatever they refuse.
 */
import type { Alert } from '../../contracts/alert.ts';

export interface AlertReceiver {
  /** Stable: outbox entries are kept per receiver name. */
  readonly name: string;
  /** Most alerts handed to one `deliver` call (Alertmanager takes a list; a chat webhook one message each). */
  readonly maxBatch: number;
  /**
   * If set, the firing alerts are sent again this often (Alertmanager keeps alerts in memory and
   * expires them at their endsAt: without a resend a restarted Alertmanager would forget them).
   */
  readonly resendIntervalMs?: number;
  /** Resolves once the receiver accepted every alert; rejects with a ReceiverError otherwise. Never logs secrets. */
  deliver(alerts: readonly Alert[], nowMs: number): Promise<void>;
}

/** Why a delivery failed, for the counters: down (connection refused/reset), slow (timeout), refused (HTTP status). */
export const DeliveryFailure = { down: 'down', slow: 'slow', refused: 'refused' } as const;
export type DeliveryFailure = (typeof DeliveryFailure)[keyof typeof DeliveryFailure];

/** A delivery the receiver did not accept; always retried later (nothing is dropped). */
export class ReceiverError extends Error {
  override readonly name = 'ReceiverError';
  readonly retriable = true;
  constructor(
    readonly receiver: string,
    readonly reason: DeliveryFailure,
    message: string,
  ) {
    super(`${receiver}: ${message}`);
  }
}

/** POSTs a JSON body with a deadline; maps every failure onto a ReceiverError. */
export async function postJson(
  receiver: string,
  url: string,
  body: string,
  options: { readonly timeoutMs: number; readonly headers?: Readonly<Record<string, string>> },
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new ReceiverError(receiver, DeliveryFailure.slow, `no answer within ${options.timeoutMs} ms`);
    throw new ReceiverError(receiver, DeliveryFailure.down, `cannot reach it (${e.cause?.code ?? e.message})`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok)
    throw new ReceiverError(receiver, DeliveryFailure.refused, `HTTP ${response.status}: ${text.slice(0, 200)}`);
}
