// Outcomes of Kubernetes writes that callers act on, independent of the client library.
// Adapters translate HTTP answers into these; decision code never sees status codes.

/** 409 Conflict: the resourceVersion we sent is stale; re-read and decide again. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** 409 AlreadyExists on create. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
}

/** 404 NotFound: the object is gone. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
