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
} from './platform/http/http-platform.js';
export type { ApiRequest, OrgContext } from './platform/http/api-request.js';
export { CurrentOrg, CurrentPrincipal, OrgScoped, Public, RequireScope } from './platform/auth/decorators.js';
export type { Principal, ServicePrincipal, UserPrincipal } from './platform/auth/principal.js';
export {
  API_CONFIG,
  DATABASE_POOL,
  LOGGER,
  MEMBERSHIP_CACHE_TTL,
  METRICS_REGISTRY,
  VERIFIED_TOKEN_CACHE_ENTRIES,
} from './platform/tokens.js';
export { MEMBERSHIP_CACHE_TTL_MS } from './platform/auth/org-resolver.js';
export { ReadinessChecks } from './platform/ops/readiness-checks.js';
export { ShutdownCoordinator } from './platform/ops/shutdown-coordinator.js';
export { FeatureDepsModule, type FeatureDeps } from './platform/feature-deps.js';
export { RevenueModule } from './revenue/revenue.module.js';
export { AuditModule } from './audit/audit.module.js';
export { MaosModule } from './maos/maos.module.js';
export { ErasureModule } from './erasure/erasure.module.js';
export { fingerprint } from './platform/commands/idempotency/fingerprint.js';
export { projectionsReadiness } from './ops/runtime-ops.module.js';
