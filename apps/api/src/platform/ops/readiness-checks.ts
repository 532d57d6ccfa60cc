import { Injectable } from '@nestjs/common';

/**
 * One dependency /health/ready reports on. Resolve (optionally with details such as a lag)
 * when ready; throw or reject when not. The signal aborts when the check times out.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/**
 * The registry other modules add their readiness to (event store connection, projection
 * lag, ...). The database ping is registered by the platform itself.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`readiness check name must be lower-case kebab/snake case: ${name}`);
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is already registered`);
    this.checks.set(name, check);
  }

  entries(): ReadonlyArray<readonly [string, ReadinessCheck]> {
    return [...this.checks];
  }
}
