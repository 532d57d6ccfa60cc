export * from './list-opportunities.query.js';
export * from './list-actions.query.js';
export * from './expansion.query.js';
export * from './pending-approvals.query.js';
export * from './summary.query.js';
export * from './action-deliveries.query.js';
export * from './effect.query.js';
export * from './attribution.query.js';
