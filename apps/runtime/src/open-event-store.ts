import type { DatabasePool } from '#database';
import { PostgresEventStore, type EventStore } from '#event-store';
import { postgresLogLag, type LagCounter } from '#projection-runner';

export interface OpenedEventStore {
  readonly store: EventStore;
  readonly kind: 'postgres' | 'eventstoredb';
  /** Lag in events is countable on the PostgreSQL log only. */
  readonly lag: LagCounter | undefined;
}

/**
 * EVENTSTORE_URL selects EventStoreDB; otherwise events live in PostgreSQL next to the read
 * models. The EventStoreDB client (gRPC) is loaded only when it is used.
 */
export async function openEventStore(options: {
  pool: DatabasePool;
  databaseUrl: string;
  eventStoreUrl?: string | undefined;
}): Promise<OpenedEventStore> {
  if (options.eventStoreUrl) {
    const { EventStoreDbEventStore } = await import('#event-store/eventstoredb');
    return { store: EventStoreDbEventStore.connect(options.eventStoreUrl), kind: 'eventstoredb', lag: undefined };
  }
  return {
    store: new PostgresEventStore({ pool: options.pool, connectionUrl: options.databaseUrl }),
    kind: 'postgres',
    lag: postgresLogLag(options.pool),
  };
}
