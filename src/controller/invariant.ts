// The only exception the pure controller modules throw: their own state became incoherent, which
// is a bug in ironlb, never a consequence of user input.
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}
