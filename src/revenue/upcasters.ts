import { isRevenueEventType, type RevenueEvent } from './events.js';

/**
 * Upcasters turn a stored event of an old type string into the current shape, keyed by the old
 * type string. None exist yet: every event type is still at its first version.
 */
export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
}

export type Upcaster = (event: StoredEvent) => StoredEvent;

export const upcasters: Readonly<Record<string, Upcaster>> = {};

/** Applies upcasters until the type is current; null for a type this domain does not know. */
export function upcast(event: StoredEvent): RevenueEvent | null {
  let current = event;
  for (let step = upcasters[current.type]; step; step = upcasters[current.type]) current = step(current);
  return isRevenueEventType(current.type) ? (current as RevenueEvent) : null;
}
