export * from './channel-config.js';
export * from './dispatcher.js';
export { listOutbox, OPEN_OUTBOX_STATES, OUTBOX_STATES, type OutboxKind, type OutboxRow, type OutboxState } from './outbox.sql.js';
export * from './signature.js';
