/**
 * The API's public surface for the other deployables, tests and benchmarks (`#api`):
 * building and booting the app, its configuration, and what a test module needs to declare routes.
 */
export { bootstrap, type BootstrapOptions, type RunningServer } from './bootstrap.js';
export { createApp, type CreateAppOptions } from './create-app.js';
export { featureModules } from './features.js';
export { ConfigError, loadConfig, TEST_JWT_SECRET, type ApiConfig } from './config.js';
export {
  createHttpPlatform,
  DEFAULT_HTTP_ADAPTER,
  HTTP_ADAPTER_KINDS,
  type HttpAdapterKind,
  type HttpPlatform,
} from './http/http-platform.js';
export type { ApiRequest, OrgContext } from './http/api-request.js';
export { CurrentOrg, CurrentPrincipal, OrgScoped, Public, RequireScope } from './auth/decorators.js';
export type { Principal, ServicePrincipal, UserPrincipal } from './auth/principal.js';
export { API_CONFIG, DATABASE_POOL, LOGGER, METRICS_REGISTRY } from './tokens.js';
export { ReadinessChecks } from './ops/readiness-checks.js';
export { ShutdownCoordinator } from './ops/shutdown-coordinator.js';
export { RevenueApiModule } from './revenue/revenue-api.module.js';
export { MaosModule } from './maos/maos.module.js';
export { fingerprint } from './maos/idempotency/fingerprint.js';
