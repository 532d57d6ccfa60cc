export * from './event-store.port.js';
export * from './errors.js';
export * from './decide-on-stream.js';
export * from './upcasting.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store.js';
export { InvalidAppendError } from './postgres/validate-append.js';
export * from './snapshots.js';
