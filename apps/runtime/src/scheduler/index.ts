export { startScheduler, type Scheduler, type SchedulerOptions, type SweepCounts } from './scheduler.js';
export { nextRunDue, type LastRun } from './schedule.js';
export { expireStaleProposals, decideStaleExpiry, type ExpiryResult } from './expire-stale-proposals.js';
export { SCHEDULER_LOCK_KEY } from './leader-lock.js';
