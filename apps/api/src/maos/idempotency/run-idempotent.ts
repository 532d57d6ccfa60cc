import type { CommonQueryMethods } from '#database';
import { domainProblem } from '../../errors/domain-errors.js';
import { ProblemException } from '../../errors/problem.js';
import { claimKey, completeKey, type KeyRef, releaseKey, type StoredResponse } from './idempotency.store.js';

export interface IdempotentRequest extends KeyRef {
  readonly fingerprint: string;
  readonly leaseMs: number;
}

/** A stored refusal: what a problem needs to be thrown again identically. */
interface StoredProblem {
  readonly slug: string;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;
}

/**
 * Runs `work` at most once per (caller, key) and request: a retry gets the first response,
 * another request under the same key 422, a retry while the first runs 409. Refusals the
 * command itself decided (domain errors, revision conflicts) are stored like successes, so a
 * retry cannot flip the answer; anything else frees the key for a real retry.
 */
export async function runIdempotent(
  db: CommonQueryMethods,
  request: IdempotentRequest,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const claim = await claimKey(db, request, request.fingerprint, request.leaseMs);
  if (claim.kind === 'mismatch') {
    throw new ProblemException(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'This Idempotency-Key was used for a different request. Use a new key for a new command.',
    );
  }
  if (claim.kind === 'running') {
    throw new ProblemException(
      409,
      'request-in-progress',
      'Request in progress',
      'A request with this Idempotency-Key is still running. Retry shortly with the same key.',
      {},
      { 'Retry-After': '1' },
    );
  }
  if (claim.kind === 'completed') return replay(claim.response);

  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    const decided = domainProblem(error);
    if (!decided) {
      await releaseKey(db, request).catch(() => undefined);
      throw error;
    }
    const stored: StoredProblem = {
      slug: decided.slug,
      title: decided.title,
      detail: decided.detail,
      extensions: { ...decided.extensions },
    };
    await completeKey(db, request, { status: decided.problemStatus, headers: { ...decided.headers }, body: { ...stored } });
    throw decided;
  }
  await completeKey(db, request, response);
  return response;
}

function replay(response: StoredResponse): StoredResponse {
  if (response.status < 400) return { ...response, headers: { ...response.headers, 'Idempotent-Replayed': 'true' } };
  const p = response.body as unknown as StoredProblem;
  throw new ProblemException(response.status, p.slug, p.title, p.detail, p.extensions, {
    ...response.headers,
    'Idempotent-Replayed': 'true',
  });
}
