import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import type { Logger } from '#observability';
import { LOGGER } from '../tokens.js';

/** Finishes in-flight work (e.g. the projection batch being applied) when asked to stop. */
export type Drain = (signal: string | undefined) => Promise<void>;

export const SHUTDOWN_OPTIONS = Symbol('SHUTDOWN_OPTIONS');
export interface ShutdownOptions {
  readonly timeoutMs: number;
  /** Runs last, once the HTTP server is closed: releases what the caller of createApp owns (pool, embedded PostgreSQL). */
  readonly onClose?: () => Promise<void>;
}

/**
 * Nest's close sequence is: onModuleDestroy -> beforeApplicationShutdown -> HTTP server closed
 * (in-flight requests finish) -> onApplicationShutdown. Readiness turns down first, so a load
 * balancer stops sending traffic; drains run next, bounded by the timeout; resources go last.
 */
@Injectable()
export class ShutdownCoordinator implements OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  private stopping = false;
  private readonly drains = new Map<string, Drain>();

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(SHUTDOWN_OPTIONS) private readonly options: ShutdownOptions = { timeoutMs: 10_000 },
  ) {}

  get isShuttingDown(): boolean {
    return this.stopping;
  }

  register(name: string, drain: Drain): void {
    if (this.drains.has(name)) throw new Error(`shutdown drain ${name} is already registered`);
    this.drains.set(name, drain);
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.drains].map(([name, drain]) => this.runDrain(name, drain, signal)));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.options.onClose?.();
  }

  private async runDrain(name: string, drain: Drain, signal: string | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.timeoutMs);
    });
    try {
      const outcome = await Promise.race([drain(signal).then(() => 'done' as const), timeout]);
      if (outcome === 'timeout') this.logger.warn({ drain: name, timeoutMs: this.options.timeoutMs }, 'shutdown drain timed out');
    } catch (error) {
      this.logger.error({ drain: name, err: error }, 'shutdown drain failed');
    } finally {
      clearTimeout(timer);
    }
  }
}
