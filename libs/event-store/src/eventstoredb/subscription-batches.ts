/** The part of an object-mode Readable used here (the client's subscription type widens `on`). */
export interface BatchSource {
  read(): unknown;
  on(event: 'readable' | 'end' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
  off(event: 'readable' | 'end' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
  destroy(): unknown;
}

export interface BatchOptions<Raw, Item> {
  readonly maxBatchSize: number;
  readonly signal: AbortSignal;
  /** The item for a raw entry, or null to skip it. */
  readonly select: (raw: Raw) => Item | null;
  readonly mapError: (error: unknown) => Error;
  /** Releases the server side of the subscription; called once when iteration ends for any reason. */
  readonly stop: () => Promise<void>;
}

/**
 * Turns an object-mode Readable (the client's subscription) into batches: each batch is what is
 * already buffered, up to maxBatchSize, so a busy log gives full batches and a quiet one gives
 * single events without waiting. The Readable's own buffer (highWaterMark) applies backpressure.
 * Completes when the signal aborts or the source ends; rethrows a source error after the
 * events buffered before it.
 */
export async function* batchesOf<Raw, Item>(
  source: BatchSource,
  options: BatchOptions<Raw, Item>,
): AsyncGenerator<Item[], void, undefined> {
  let signaled = false;
  let wake: (() => void) | null = null;
  let ended = false;
  let failure = null as { error: unknown } | null; // `as`: assigned in callbacks, so no narrowing to null
  const notify = (): void => {
    signaled = true;
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (error: unknown): void => {
    failure ??= { error };
    notify();
  };
  source.on('readable', notify);
  source.on('end', onEnd);
  source.on('close', onEnd);
  source.on('error', onError);
  options.signal.addEventListener('abort', notify);
  try {
    for (;;) {
      if (options.signal.aborted) return;
      signaled = false;
      const batch = drain(source, options);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure) throw options.mapError(failure.error);
      if (ended) return;
      if (!signaled) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    source.off('readable', notify);
    source.off('end', onEnd);
    source.off('close', onEnd);
    source.off('error', onError);
    // The client re-emits late gRPC errors on the Readable; without a listener they would crash the process.
    source.on('error', () => undefined);
    options.signal.removeEventListener('abort', notify);
    // Best effort: the server drops the subscription with the connection anyway.
    await options.stop().catch(() => undefined);
    source.destroy();
  }
}

function drain<Raw, Item>(source: BatchSource, options: BatchOptions<Raw, Item>): Item[] {
  const batch: Item[] = [];
  while (batch.length < options.maxBatchSize) {
    const raw = source.read() as Raw | null;
    if (raw === null) break;
    const item = options.select(raw);
    if (item !== null) batch.push(item);
  }
  return batch;
}
