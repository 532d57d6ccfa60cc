/** The adapter contract suite and its helpers: `#event-store/testing`, for tests only. */
export * from './contract.js';
export * from './contract-helpers.js';
