/**
 * The one error type of the domain. Codes are protocol-neutral; each front-end
 * maps them to its own wire shape and status (see protocols/mlflow/errors.ts).
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'   // malformed or out-of-range input
  | 'NOT_FOUND'          // the named object does not exist
  | 'ALREADY_EXISTS'     // a create collided with an existing name or id
  | 'CONFLICT'           // a rename or update collided (MLflow: BAD_REQUEST)
  | 'INVALID_STATE'      // the object exists but its lifecycle forbids this
  | 'UNAUTHENTICATED'    // no credentials, or credentials no account holds (a wrong or revoked API key)
  | 'PERMISSION_DENIED'  // the server's access rules refuse this caller (a foreign Host or Origin)
  | 'NOT_IMPLEMENTED'
  | 'UNAVAILABLE'        // transient: the store is shutting down or busy
  | 'INTERNAL';

export class TrackbridgeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Protocol-specific override, e.g. MLflow's BAD_REQUEST for an FK failure. */
    readonly wireCode?: string,
  ) {
    super(message);
    this.name = 'TrackbridgeError';
  }
}

export const invalid = (message: string, wireCode?: string) =>
  new TrackbridgeError('INVALID_ARGUMENT', message, wireCode);
export const notFound = (message: string) => new TrackbridgeError('NOT_FOUND', message);
export const alreadyExists = (message: string) => new TrackbridgeError('ALREADY_EXISTS', message);
export const invalidState = (message: string) => new TrackbridgeError('INVALID_STATE', message);
export const unauthenticated = (message: string) => new TrackbridgeError('UNAUTHENTICATED', message);
