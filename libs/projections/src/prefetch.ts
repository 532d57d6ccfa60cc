/**
 * Reads one batch ahead: the next read from the store runs while the caller applies the
 * current batch, so catch-up speed is max(read, apply) rather than their sum.
 *
 * When the caller stops early the pending read is left to settle on its own (it may be a live
 * wait that only the caller's AbortSignal ends), so leaving the loop never blocks.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const result = await pending;
      if (result.done) {
        finished = true;
        return;
      }
      pending = iterator.next();
      yield result.value;
    }
  } finally {
    if (!finished) {
      pending
        .then(
          () => iterator.return?.(),
          () => undefined,
        )
        .catch(() => undefined);
    }
  }
}
