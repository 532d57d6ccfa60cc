import type { CommonQueryMethods } from '#database';
import { domainProblem, isDecidedRefusal } from '../../errors/domain-errors.js';
import { problems, type StoredProblem } from '../../errors/problem.js';
import { claimKey, completeKey, type KeyRef, releaseKey, type StoredResponse } from './idempotency.store.js';

export interface IdempotentRequest extends KeyRef {
  readonly fingerprint: string;
  readonly leaseMs: number;
}

/**
 * Runs `work` at most once per (caller, key) and request: a retry gets the first response,
 * another request under the same key 422, a retry while the first runs 409. Refusals the
 * command itself decided (domain errors, a stale If-Match) are stored like successes, so a
 * retry cannot flip the answer; anything else (including contention without If-Match) frees the key for a real retry.
 */
export async function runIdempotent(
  db: CommonQueryMethods,
  request: IdempotentRequest,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const claim = await claimKey(db, request, request.fingerprint, request.leaseMs);
  if (claim.kind === 'mismatch') throw problems.idempotencyKeyReused();
  if (claim.kind === 'running') throw problems.requestInProgress();
  if (claim.kind === 'completed') return replay(claim.response);

  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    const decided = isDecidedRefusal(error) ? domainProblem(error) : null;
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
  throw problems.replayed(response.status, response.body as unknown as StoredProblem, {
    ...response.headers,
    'Idempotent-Replayed': 'true',
  });
}
