import { createHash } from 'node:crypto';

/** What makes two requests "the same" for an Idempotency-Key: operation, target, body and precondition. */
export interface RequestIdentity {
  /** Method and path, e.g. `POST /api/maos/actions/<id>/approve`. */
  readonly operation: string;
  readonly body: unknown;
  readonly ifMatch: bigint | undefined;
}

/** SHA-256 over a canonical form: key order in the JSON body does not change the fingerprint. */
export function fingerprint(request: RequestIdentity): string {
  const canonical = JSON.stringify([request.operation, canonicalize(request.body ?? null), request.ifMatch?.toString() ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, canonicalize((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
