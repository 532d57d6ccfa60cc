/**
 * Injection tokens of the platform layer. Feature modules inject these (the app module is
 * global), e.g. `@Inject(DATABASE_POOL) pool: DatabasePool`, `@Inject(METRICS_REGISTRY)`.
 */
export const API_CONFIG = Symbol('API_CONFIG');
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const LOGGER = Symbol('LOGGER');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const VERIFY_TOKEN = Symbol('VERIFY_TOKEN');
