/** Typed errors of the projection runner. */

export class InvalidProjectionError extends Error {
  override readonly name = 'InvalidProjectionError';
  constructor(
    readonly projection: string,
    readonly reason: string,
  ) {
    super(`projection ${JSON.stringify(projection)}: ${reason}`);
  }
}

export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(readonly projection: string) {
    super(`projection ${JSON.stringify(projection)} is not registered with this runner`);
  }
}

export class UnknownProjectionTableError extends Error {
  override readonly name = 'UnknownProjectionTableError';
  constructor(
    readonly projection: string,
    readonly table: string,
  ) {
    super(`projection ${projection} does not own table ${JSON.stringify(table)}: add it to its tables`);
  }
}

/**
 * The checkpoint row no longer matches what this runner last wrote: another runner took over
 * (lost advisory lock session) or an operator changed the row. The batch was rolled back.
 */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(readonly projection: string) {
    super(`projection ${projection}: checkpoint moved under this runner; batch rolled back`);
  }
}

/** A rebuild cannot swap its tables in safely; the projection halts with this reason. */
export class RebuildBlockedError extends Error {
  override readonly name = 'RebuildBlockedError';
  constructor(
    readonly projection: string,
    readonly blockers: readonly string[],
  ) {
    super(`projection ${projection} cannot be rebuilt: ${blockers.join('; ')}`);
  }
}

export class ProjectionHaltedError extends Error {
  override readonly name = 'ProjectionHaltedError';
  constructor(
    readonly projection: string,
    readonly reason: string | null,
  ) {
    super(`projection ${projection} is halted: ${reason ?? 'no reason recorded'}`);
  }
}

export class ProjectionTimeoutError extends Error {
  override readonly name = 'ProjectionTimeoutError';
  constructor(
    readonly projection: string,
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`projection ${projection}: ${what} did not happen within ${timeoutMs} ms`);
  }
}
