/**
 * A bounded map whose entries end at their own expiry (in the unit of `now`): read past it, an
 * entry is gone. No timers; when full it is cleared (the callers' entries are cheap to make
 * again). Shared by the membership cache and the verified-token cache of the access guard.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly expires: number }>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires > this.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, expires: number): void {
    if (this.capacity <= 0) return;
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, { value, expires });
  }
}
