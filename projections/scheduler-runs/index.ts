export * from './scheduler-run.events.js';
export * from './scheduler-runs.projection.js';
export * from './list-scheduler-runs.query.js';
