/**
 * The closed set of error codes Vouch answers with. Each code has exactly one HTTP status and
 * type, here, so no route decides a status on its own.
 */
const ERRORS = {
  // 400: the request itself is malformed
  invalid_json: { status: 400, type: 'invalid_request' },
  missing_field: { status: 400, type: 'invalid_request' },
  invalid_type: { status: 400, type: 'invalid_request' },
  invalid_format: { status: 400, type: 'invalid_request' },
  invalid_value: { status: 400, type: 'invalid_request' },
  invalid_length: { status: 400, type: 'invalid_request' },
  unknown_field: { status: 400, type: 'invalid_request' },
  value_too_small: { status: 400, type: 'invalid_request' },
  value_too_large: { status: 400, type: 'invalid_request' },
  amount_negative: { status: 400, type: 'invalid_request' },
  amount_not_integer: { status: 400, type: 'invalid_request' },
  amount_too_large: { status: 400, type: 'invalid_request' },
  unknown_currency: { status: 400, type: 'invalid_request' },
  invalid_url: { status: 400, type: 'invalid_request' },
  invalid_code: { status: 400, type: 'invalid_request' },
  invalid_cursor: { status: 400, type: 'invalid_request' },
  occurred_at_in_future: { status: 400, type: 'invalid_request' },
  invalid_email: { status: 400, type: 'invalid_request' },
  invalid_phone: { status: 400, type: 'invalid_request' },
  invalid_ip: { status: 400, type: 'invalid_request' },
  invalid_locale: { status: 400, type: 'invalid_request' },
  invalid_signature: { status: 400, type: 'invalid_request' },
  // A number past ±(2^53 - 1) (1e400 is Infinity): no field holds it exactly.
  number_out_of_range: { status: 400, type: 'invalid_request' },
  // NUL or an unpaired surrogate: text PostgreSQL refuses or UTF-8 cannot hold.
  invalid_character: { status: 400, type: 'invalid_request' },
  // 401 / 403: who is asking
  missing_api_key: { status: 401, type: 'authentication_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  // GET /metrics without VOUCH_METRICS_TOKEN as its bearer token.
  invalid_metrics_token: { status: 401, type: 'authentication_error' },
  // A share widget request without a live widget token (missing, forged, expired, or its participant disabled).
  invalid_widget_token: { status: 401, type: 'authentication_error' },
  // The key is valid but may not call this route: a scope it lacks, or a publishable key.
  insufficient_scope: { status: 403, type: 'permission_error' },
  publishable_key_not_allowed: { status: 403, type: 'permission_error' },
  // A portal form or beacon without the CSRF token of the page the session was shown.
  invalid_csrf_token: { status: 403, type: 'permission_error' },
  // A share widget request from a page whose origin is not among the program's embed_origins.
  origin_not_allowed: { status: 403, type: 'permission_error' },
  // 404
  not_found: { status: 404, type: 'invalid_request' },
  resource_missing: { status: 404, type: 'invalid_request' },
  // 409: conflicts with what is stored
  code_taken: { status: 409, type: 'conflict' },
  idempotency_key_reused: { status: 409, type: 'conflict' },
  reward_not_pending: { status: 409, type: 'conflict' },
  reward_already_reversed: { status: 409, type: 'conflict' },
  payout_in_progress: { status: 409, type: 'conflict' },
  payout_not_pending: { status: 409, type: 'conflict' },
  review_open: { status: 409, type: 'conflict' },
  review_not_open: { status: 409, type: 'conflict' },
  reward_redeemed: { status: 409, type: 'conflict' },
  reward_not_issued: { status: 409, type: 'conflict' },
  task_not_open: { status: 409, type: 'conflict' },
  delivery_in_progress: { status: 409, type: 'conflict' },
  endpoint_disabled: { status: 409, type: 'conflict' },
  // 413, 415
  body_too_large: { status: 413, type: 'invalid_request' },
  unsupported_media_type: { status: 415, type: 'invalid_request' },
  // 422: well-formed but not applicable
  program_mismatch: { status: 422, type: 'unprocessable' },
  program_not_active: { status: 422, type: 'unprocessable' },
  currency_mismatch: { status: 422, type: 'unprocessable' },
  refund_exceeds_purchase: { status: 422, type: 'unprocessable' },
  amount_exceeds_reward: { status: 422, type: 'unprocessable' },
  reward_not_divisible: { status: 422, type: 'unprocessable' },
  reward_not_redeemable: { status: 422, type: 'unprocessable' },
  nothing_to_pay: { status: 422, type: 'unprocessable' },
  participant_disabled: { status: 422, type: 'unprocessable' },
  self_referral: { status: 422, type: 'unprocessable' },
  // 429
  rate_limited: { status: 429, type: 'rate_limited' },
  // 500, 503
  internal_error: { status: 500, type: 'api_error' },
  // The database connection was lost mid-request; retrying (with the Idempotency-Key) is safe.
  service_unavailable: { status: 503, type: 'api_error' },
  // The process is shutting down (SIGTERM); another instance behind the load balancer answers.
  shutting_down: { status: 503, type: 'api_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERRORS;

export function errorStatus(code: ErrorCode): number {
  return ERRORS[code].status;
}

export function errorType(code: ErrorCode): string {
  return ERRORS[code].type;
}

/** An error the client can act on: it is answered with its code, message and offending field. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus(this.code);
  }
}

export function notFound(what: string, id: string, param?: string): AppError {
  return new AppError('resource_missing', `No ${what} with id '${id}'.`, param);
}
