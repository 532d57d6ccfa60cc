import { eventTypeFilter, excludeSystemEvents, type Filter } from '@eventstore/db-client';
import type { UpcasterRegistry } from '../upcasting.js';

/** Which stored event types a read or subscription wants, as a local predicate and as a server-side $all filter. */
export interface TypeSelection {
  readonly accepts: (storedType: string) => boolean;
  readonly serverFilter: Filter;
}

/**
 * Undefined: every non-system type. A list names the types as read (after upcasting), so the
 * stored older versions that upcast to them are selected too. An empty list selects nothing.
 */
export function selectTypes(eventTypes?: readonly string[], upcasters?: UpcasterRegistry): TypeSelection {
  if (eventTypes === undefined) {
    return { accepts: (type) => !type.startsWith('$'), serverFilter: excludeSystemEvents() };
  }
  const stored = upcasters ? upcasters.storedTypesFor(eventTypes) : [...new Set(eventTypes)];
  const wanted = new Set(stored);
  return { accepts: (type) => wanted.has(type), serverFilter: eventTypeFilter({ regex: exactTypesRegex(stored) }) };
}

/**
 * Prefix filters would let `x.v1` also match `x.v10`, so the server gets an anchored
 * alternation of the escaped names (the server uses .NET regexes with partial matching).
 */
export function exactTypesRegex(eventTypes: readonly string[]): string {
  if (eventTypes.length === 0) return '(?!)';
  const alternatives = [...new Set(eventTypes)].map((type) => type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^(?:${alternatives.join('|')})$`;
}
