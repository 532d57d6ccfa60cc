import { sql, type CommonQueryMethods } from '#database';

/** A response as it was first sent: replayed verbatim to every retry with the same key. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface KeyRef {
  /** principalKey(): keys are per caller, so two services never collide. */
  readonly principal: string;
  readonly key: string;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'completed'; readonly response: StoredResponse }
  | { readonly kind: 'running' }
  | { readonly kind: 'mismatch' };

/**
 * Claims the key for this request, or says why not. A 'running' row whose lease expired was
 * left by a caller that died mid-command; the same request may take it over.
 */
export async function claimKey(db: CommonQueryMethods, ref: KeyRef, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
  // A row released between our INSERT and SELECT is gone: try again (a few times at most).
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimed = await db.maybeOneFirst(sql.unsafe`
      INSERT INTO api_idempotency_keys AS k (principal, idempotency_key, fingerprint, lease_until)
      VALUES (${ref.principal}, ${ref.key}, ${fingerprint}, now() + ${leaseMs} * interval '1 millisecond')
      ON CONFLICT (principal, idempotency_key) DO UPDATE SET lease_until = EXCLUDED.lease_until
        WHERE k.state = 'running' AND k.lease_until < now() AND k.fingerprint = EXCLUDED.fingerprint
      RETURNING true`);
    if (claimed) return { kind: 'claimed' };
    const row = await db.maybeOne(sql.unsafe`
      SELECT fingerprint, state, response_status, response_headers, response_body
      FROM api_idempotency_keys WHERE principal = ${ref.principal} AND idempotency_key = ${ref.key}`);
    if (!row) continue;
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.state === 'running') return { kind: 'running' };
    return {
      kind: 'completed',
      response: {
        status: row.response_status as number,
        headers: (row.response_headers ?? {}) as Record<string, string>,
        body: row.response_body as Record<string, unknown>,
      },
    };
  }
  return { kind: 'running' };
}

export async function completeKey(db: CommonQueryMethods, ref: KeyRef, response: StoredResponse): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE api_idempotency_keys
    SET state = 'completed', response_status = ${response.status}, response_headers = ${sql.jsonb(response.headers)},
        response_body = ${sql.jsonb(response.body as never)}, completed_at = now()
    WHERE principal = ${ref.principal} AND idempotency_key = ${ref.key}`);
}

/** The request failed before deciding anything (or on a server fault): the key may be used again. */
export async function releaseKey(db: CommonQueryMethods, ref: KeyRef): Promise<void> {
  await db.query(sql.unsafe`
    DELETE FROM api_idempotency_keys WHERE principal = ${ref.principal} AND idempotency_key = ${ref.key} AND state = 'running'`);
}
