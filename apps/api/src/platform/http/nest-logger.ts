import type { LoggerService } from '@nestjs/common';
import type { Logger } from '#observability';

/** Nest's own messages (bootstrap, unhandled lifecycle errors) as JSON lines on the same logger. */
export class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  /** Nest calls error(message, stack, context) or error(message, context). */
  error(message: unknown, stackOrContext?: string, context?: string): void {
    const err = message instanceof Error ? message : undefined;
    const stack = context !== undefined ? stackOrContext : undefined;
    this.logger.error({ context: context ?? stackOrContext, err, stack }, err ? err.message : String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
