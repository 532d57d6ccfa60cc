import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Registry } from '#observability';
import { gauge } from '#observability';
import type { Runtime } from '#runtime';
import { METRICS_REGISTRY } from '../platform/tokens.js';
import { ReadinessChecks } from '../platform/ops/readiness-checks.js';

const RUNTIME = Symbol('RUNTIME');

/** Readiness fails when a projection is halted or further behind than this many events. */
export const MAX_READY_LAG_EVENTS = 10_000;

/**
 * Readiness and metrics of the event store and the projections: /health/ready reports the store's
 * head and each projection's state and lag; /metrics exports lag and parked events per projection.
 */
@Module({})
export class RuntimeOpsModule implements OnModuleInit {
  static forRoot(runtime: Runtime): DynamicModule {
    return { module: RuntimeOpsModule, providers: [{ provide: RUNTIME, useValue: runtime }] };
  }

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly readiness: ReadinessChecks,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    const { store, runner, eventStoreKind } = this.runtime;
    this.readiness.register('event_store', async () => {
      const head = await store.headPosition();
      return { kind: eventStoreKind, head: head ? `${head.commit}-${head.prepare}` : null };
    });
    this.readiness.register('projections', async () => {
      const statuses = await runner.status();
      const unhealthy = statuses.filter((s) => s.state === 'halted' || (s.lagEvents ?? 0) > MAX_READY_LAG_EVENTS);
      const summary = Object.fromEntries(statuses.map((s) => [s.name, { state: s.state, lagEvents: s.lagEvents, parked: s.parkedCount }]));
      if (unhealthy.length)
        throw new Error(`projections not ready: ${unhealthy.map((s) => `${s.name} ${s.state}, lag ${s.lagEvents}`).join('; ')}`);
      return summary;
    });
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
