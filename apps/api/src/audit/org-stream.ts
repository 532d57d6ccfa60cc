import { StreamNotFoundError, type EventStore, type RecordedEvent } from '#event-store';
import { revenueStreamName } from '#revenue';

/**
 * The org's revenue stream from the event store (the source of truth, not the read model).
 * An org without events (or erased) reads as an empty history.
 */
export async function readOrgStream(
  store: EventStore,
  orgId: string,
  options: { readonly fromRevision?: bigint; readonly maxCount?: number } = {},
): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(revenueStreamName(orgId), options);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}
