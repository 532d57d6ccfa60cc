export { createLogger, redactPaths, serializeError, REDACTED_KEYS, type CreateLoggerOptions, type Logger } from './logger.js';
export { counter, createMetricsRegistry, gauge, histogram, Registry, type Counter, type Gauge, type Histogram } from './metrics.js';
