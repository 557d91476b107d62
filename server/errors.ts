/**
 * The domain layer's one error type: a stable code and a message for people. Services
 * throw it without knowing about HTTP; server/http/respond.ts maps each code to a status.
 */
export const APP_ERROR_STATUS = {
  bad_request: 400,
  invalid_input: 400,
  invalid_password: 400,
  connection_failed: 400,
  password_required: 400,
  privileged_account: 400,
  unknown_cell: 400,
  unknown_parent: 400,
  invalid_range: 400,
  // A proposal or pull from a notebook that was not forked from the one named.
  not_a_fork: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  invitation_required: 403,
  not_found: 404,
  not_cached: 404,
  conflict: 409,
  file_too_large: 413,
  quota_exceeded: 413,
  uri_too_long: 414,
  not_computable: 422,
  rate_limited: 429,
  // A report's query failed on the warehouse and no earlier result stands in: the reader sent nothing wrong.
  query_failed: 502
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Seconds until a rate-limited action may be tried again. */
    readonly retryAfterSeconds?: number
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}
