export * from './event-store.port.js';
export * from './errors.js';
