export * from './open-event-store.js';
export * from './open-runtime.js';
export * from './demo-data.sql.js';
export * from './dev-jwt-secret.js';
export * from './audit-timeline.js';
export * from './erasure/erase-org.js';
