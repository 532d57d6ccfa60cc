import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Registry } from '#observability';
import { gauge } from '#observability';
import type { Runtime } from '#runtime';
import type { ApiConfig } from '../config.js';
import { API_CONFIG, METRICS_REGISTRY } from '../platform/tokens.js';
import { type ReadinessCheck, ReadinessChecks } from '../platform/ops/readiness-checks.js';
import { PROJECTION_STATUS_SOURCE, ProjectionsOpsController } from './projections-ops.controller.js';

const RUNTIME = Symbol('RUNTIME');

/**
 * The `projections` readiness check: fails when a projection is halted, or when it is more than
 * `maxLagEvents` events behind the log (0: lag is not checked; an unknown lag never fails).
 */
export function projectionsReadiness(runner: Pick<Runtime['runner'], 'status'>, maxLagEvents: number): ReadinessCheck {
  return async () => {
    const statuses = await runner.status();
    const unhealthy = statuses.filter((s) => s.state === 'halted' || (maxLagEvents > 0 && (s.lagEvents ?? 0) > maxLagEvents));
    if (unhealthy.length)
      throw new Error(
        `projections not ready: ${unhealthy.map((s) => `${s.name} ${s.state}, lag ${s.lagEvents} (max ${maxLagEvents})`).join('; ')}`,
      );
    return Object.fromEntries(statuses.map((s) => [s.name, { state: s.state, lagEvents: s.lagEvents, parked: s.parkedCount }]));
  };
}

/**
 * Readiness and metrics of the event store and the projections: /health/ready reports the store's
 * head and each projection's state and lag (failing past READY_MAX_LAG_EVENTS); /metrics exports
 * lag and parked events per projection; GET /api/ops/projections and /api/ops/parked (scope
 * ops:read) show the same to operators.
 */
@Module({})
export class RuntimeOpsModule implements OnModuleInit {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: RuntimeOpsModule,
      controllers: [ProjectionsOpsController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: PROJECTION_STATUS_SOURCE, useValue: runtime.runner },
      ],
    };
  }

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly readiness: ReadinessChecks,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    const { store, runner, eventStoreKind } = this.runtime;
    this.readiness.register('event_store', async () => {
      const head = await store.headPosition();
      return { kind: eventStoreKind, head: head ? `${head.commit}-${head.prepare}` : null };
    });
    this.readiness.register('projections', projectionsReadiness(runner, this.config.READY_MAX_LAG_EVENTS));
    const lag = gauge(this.registry, {
      name: 'projection_lag_events',
      help: 'Events of its types after the projection checkpoint',
      labelNames: ['projection'],
    });
    const parked = gauge(this.registry, {
      name: 'projection_parked_events',
      help: 'Events parked in the dead-letter table',
      labelNames: ['projection'],
    });
    gauge(this.registry, {
      name: 'projection_halted',
      help: '1 when the projection is halted on a parked event',
      labelNames: ['projection'],
      async collect() {
        for (const s of await runner.status()) {
          this.set({ projection: s.name }, s.state === 'halted' ? 1 : 0);
          if (s.lagEvents !== null) lag.set({ projection: s.name }, s.lagEvents);
          parked.set({ projection: s.name }, s.parkedCount);
        }
      },
    });
  }
}
