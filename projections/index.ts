import type { AnyProjection } from '#projection-runner';
import { creditLedger } from './credit-ledger/credit-ledger.projection.js';
import { revenueReadModel } from './revenue-read-model/revenue-read-model.projection.js';

export { creditLedger, revenueReadModel };

/** Every read model the worker runs. */
export const allProjections: readonly AnyProjection[] = [revenueReadModel, creditLedger];
export * from './revenue-read-model/queries/index.js';
