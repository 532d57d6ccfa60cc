/** Test helpers of the revenue domain (fixtures, given/when/then): `#revenue/testing`, for tests only. */
export * from './fixtures.js';
export * from './given-when-then.js';
