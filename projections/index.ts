import type { AnyProjection } from '#projection-runner';
import { actionOutbox } from './action-outbox/action-outbox.projection.js';
import { creditLedger } from './credit-ledger/credit-ledger.projection.js';
import { revenueDaily } from './revenue-daily/index.js';
import { revenueReadModel } from './revenue-read-model/revenue-read-model.projection.js';
import { schedulerRuns } from './scheduler-runs/index.js';

export { actionOutbox, creditLedger, revenueReadModel };

/** Every read model the worker runs. */
export const allProjections: readonly AnyProjection[] = [revenueReadModel, creditLedger, actionOutbox, schedulerRuns, revenueDaily];
export * from './action-outbox/outbox-state.sql.js';
export * from './revenue-read-model/queries/index.js';
export * from './scheduler-runs/index.js';
export * from './revenue-daily/index.js';
