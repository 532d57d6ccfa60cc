export * from './revenue-daily.projection.js';
export * from './revenue-series.query.js';
