/**
 * API errors: one class with a code; the error middleware (app.ts) maps the code to a status and a
 * `{ code, message, field? }` body. Nothing else reaches a client: no stack, no store message.
 */
export const ApiErrorCode = {
  invalidRequest: 'invalid_request',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  tooManyRequests: 'too_many_requests',
  resultTooLarge: 'result_too_large',
  storeUnavailable: 'store_unavailable',
  auditUnavailable: 'audit_unavailable',
  internal: 'internal',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

export const STATUS_OF: Readonly<Record<ApiErrorCode, number>> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  result_too_large: 422,
  store_unavailable: 503,
  audit_unavailable: 503,
  internal: 500,
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** The request field at fault (query parameter or body path), for 400s. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A 400 naming the field. */
export const invalid = (field: string, message: string): ApiError =>
  new ApiError(ApiErrorCode.invalidRequest, `${field}: ${message}`, field);
