export type { Projection, AnyProjection, ProjectionEvent, Recorded, ProjectionTables, OnErrorPolicy } from './projection.js';
export { assertValidProjection } from './projection.js';
export { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner.js';
export { postgresLogLag, type LagCounter, type ProjectionStatus, type ProjectionState } from './status.js';
export { requestRebuild, resumeProjection, readCheckpoint, type CheckpointRow } from './checkpoints.js';
export { listParked, listParkedEvents, type ParkedEvent, type ParkedEventView } from './dead-letters.js';
export type { ProjectionLogger } from './logger.js';
export type { RunnerSettings } from './worker-context.js';
export * from './errors.js';
