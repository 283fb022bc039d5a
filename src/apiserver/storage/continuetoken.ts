// List continue tokens in the shape kube-apiserver uses: base64url JSON {v, rv, start}.
// rv -1 means "continue at the latest revision" (handed out with a 410 after compaction).

export interface ContinueToken {
  rv: number;
  start: string;
}

export class BadContinueToken extends Error {}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new BadContinueToken('continue key is not valid: illegal base64 data');
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t.v !== 'meta.k8s.io/v1')
    throw new BadContinueToken('continue key is not valid: server does not recognize this encoded key');
  if (typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start === '')
    throw new BadContinueToken(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  if (t.start.includes('..') || t.start.startsWith('/'))
    throw new BadContinueToken('continue key is not valid: the start key may not contain path traversal');
  return { rv: t.rv, start: t.start };
}
