/**
 * Injection tokens of the platform layer. Feature modules inject these (the app module is
 * global), e.g. `@Inject(DATABASE_POOL) pool: DatabasePool`, `@Inject(METRICS_REGISTRY)`.
 */
export const API_CONFIG = Symbol('API_CONFIG');
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const LOGGER = Symbol('LOGGER');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const VERIFY_TOKEN = Symbol('VERIFY_TOKEN');
/** Optional (a global provider): the membership cache's lifetime in ms, default MEMBERSHIP_CACHE_TTL_MS; 0 turns it off. */
export const MEMBERSHIP_CACHE_TTL = Symbol('MEMBERSHIP_CACHE_TTL');
/** Optional (a global provider): how many verified access tokens the guard remembers, default 10,000; 0 turns it off. */
export const VERIFIED_TOKEN_CACHE_ENTRIES = Symbol('VERIFIED_TOKEN_CACHE_ENTRIES');
