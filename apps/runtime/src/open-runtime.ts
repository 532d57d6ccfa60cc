import { acquirePostgres, createDatabasePool, migrate, type DatabasePool, type PostgresServer } from '#database';
import { PostgresSnapshotStore, type EventStore } from '#event-store';
import { ProjectionRunner, type ProjectionLogger } from '#projection-runner';
import { systemClock, type Clock, type RevenueDeps } from '#revenue-commands';
import { allProjections } from '#read-models';
import { defaultRuleSet, type ObservationConfig, type RuleSet } from '#revenue';
import { validateRuleSet } from './effect/rule-set.schema.js';
import { openEventStore } from './open-event-store.js';
import { channelRouting, type ChannelConfig } from './outbox/channel-config.js';

export interface RuntimeOptions {
  /** Unset: an embedded PostgreSQL under .data/postgres (kept between runs). */
  readonly databaseUrl?: string | undefined;
  readonly eventStoreUrl?: string | undefined;
  readonly clock?: Clock;
  readonly logger?: ProjectionLogger;
  readonly poolSize?: number;
  readonly observe?: RevenueDeps['observe'];
  /** The channels (parseChannelConfig): approvals record which ones the engine delivers. Unset: every channel external. */
  readonly channels?: ChannelConfig;
  /** The rule set to decide with (parseRuleConfig); validated against the schema here. Unset: the specification's. */
  readonly ruleSet?: RuleSet;
  /** Observation window and prices (parseRuleConfig). Unset: defaultObservationConfig. */
  readonly observation?: ObservationConfig;
}

/** Everything the API, the worker and the CLI share: database, event store, projections, command deps. */
export interface Runtime {
  readonly server: PostgresServer;
  readonly pool: DatabasePool;
  readonly store: EventStore;
  readonly eventStoreKind: 'postgres' | 'eventstoredb';
  /** Created, not started: call runner.start() where projections should run. */
  readonly runner: ProjectionRunner;
  readonly deps: RevenueDeps;
  close(): Promise<void>;
}

export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.logger;
  const checked = validateRuleSet(options.ruleSet ?? defaultRuleSet);
  if ('issues' in checked) throw new RangeError(`invalid rule set:\n  - ${checked.issues.join('\n  - ')}`);
  const server = await acquirePostgres(
    options.databaseUrl,
    log ? { onLog: (message) => log.info({ component: 'embedded-postgres' }, message) } : {},
  );
  try {
    await migrate(server.url);
    const pool = await createDatabasePool(server.url, { maximumPoolSize: options.poolSize ?? 10 });
    const { store, kind, lag } = await openEventStore({ pool, databaseUrl: server.url, eventStoreUrl: options.eventStoreUrl }).catch(
      async (error: unknown) => {
        await pool.end().catch(() => undefined);
        throw error;
      },
    );
    const runner = new ProjectionRunner({
      store,
      pool,
      connectionUrl: server.url,
      projections: allProjections,
      ...(lag ? { lag } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const deps: RevenueDeps = {
      store,
      pool,
      clock: options.clock ?? systemClock,
      ruleSet: checked.ruleSet,
      snapshots: new PostgresSnapshotStore(pool),
      ...(options.observation ? { observation: options.observation } : {}),
      ...(options.channels ? { channels: channelRouting(options.channels) } : {}),
      ...(options.observe ? { observe: options.observe } : {}),
    };
    return {
      server,
      pool,
      store,
      eventStoreKind: kind,
      runner,
      deps,
      async close() {
        // Each step runs even when one before it failed: the pool and an owned embedded server
        // are always released; the first error is reported.
        let failure: unknown;
        for (const step of [() => runner.stop(), () => store.close(), () => pool.end(), () => server.stop()]) {
          await step().catch((error: unknown) => (failure ??= error));
        }
        if (failure !== undefined) throw failure;
      },
    };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}
