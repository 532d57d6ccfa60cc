import { createHash } from 'node:crypto';
import type { DomainEvent } from '#event-store';

/** Erasures are recorded here, outside the erased org's stream (which no longer exists). */
export const ERASURE_STREAM = 'revenue-erasures';
export const ORG_ERASED = 'erasure.org-erased.v1';

export interface ErasedCounts {
  readonly events: number;
  readonly opportunities: number;
  readonly actions: number;
  readonly orgStreams: number;
  readonly ledgerEntries: number;
}

/**
 * Proof that an org was erased, without the org id in clear: whoever holds the id can check
 * the hash, nobody can read it back (a UUID has too many values to guess).
 */
export function orgErasedEvent(orgId: string, counts: ErasedCounts, erasedAt: Date): DomainEvent {
  return {
    type: ORG_ERASED,
    data: { orgIdSha256: sha256(orgId.toLowerCase()), counts, erasedAt: erasedAt.toISOString() },
  };
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export const nothingErased = (counts: ErasedCounts): boolean => Object.values(counts).every((n) => n === 0);
