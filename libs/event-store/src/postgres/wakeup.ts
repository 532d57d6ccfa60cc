/**
 * A latch a subscriber sleeps on between reads. `set` before `wait` is remembered, so a
 * notification that arrives while a page is being read is never lost.
 */
export class Wakeup {
  #pending = false;
  #wake: (() => void) | undefined;

  set(): void {
    this.#pending = true;
    this.#wake?.();
  }

  clear(): void {
    this.#pending = false;
  }

  /** Resolves on `set` or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    if (this.#pending) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#wake = done;
    });
  }
}
