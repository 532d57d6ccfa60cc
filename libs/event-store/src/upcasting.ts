import type { EventMetadata, RecordedEvent } from './event-store.port.js';

/**
 * Turns a stored event of an old version into the next version (e.g. `x.v1` -> `x.v2`).
 * Stored events are never rewritten: upcasters run on every read instead. Types are declared
 * statically so a reader filtering on `x.v2` also fetches the stored `x.v1` events.
 */
export interface Upcaster {
  readonly fromType: string;
  readonly toType: string;
  upcast(event: { readonly data: unknown; readonly metadata: EventMetadata }): {
    readonly data: unknown;
    /** Omitted: the metadata is kept as stored. */
    readonly metadata?: EventMetadata;
  };
}

export class InvalidUpcasterError extends Error {
  override readonly name = 'InvalidUpcasterError';
}

/** Upcasters keyed by the type they read; chains are followed to the newest version. */
export class UpcasterRegistry {
  static readonly empty = new UpcasterRegistry([]);
  readonly #byFromType: ReadonlyMap<string, Upcaster>;

  constructor(upcasters: readonly Upcaster[]) {
    const byFromType = new Map<string, Upcaster>();
    for (const upcaster of upcasters) {
      if (!upcaster.fromType || !upcaster.toType || upcaster.fromType === upcaster.toType) {
        throw new InvalidUpcasterError(`upcaster ${upcaster.fromType} -> ${upcaster.toType}: types must be distinct and non-empty`);
      }
      if (byFromType.has(upcaster.fromType)) {
        throw new InvalidUpcasterError(`two upcasters read ${upcaster.fromType}: a stored type has one next version`);
      }
      byFromType.set(upcaster.fromType, upcaster);
    }
    this.#byFromType = byFromType;
    for (const type of byFromType.keys()) this.latestTypeOf(type);
  }

  /** The type a stored event of `type` has once read (itself when no upcaster applies). */
  latestTypeOf(type: string): string {
    let current = type;
    const seen = new Set<string>([current]);
    for (let next = this.#byFromType.get(current); next; next = this.#byFromType.get(current)) {
      current = next.toType;
      if (seen.has(current)) throw new InvalidUpcasterError(`upcaster cycle through ${current}`);
      seen.add(current);
    }
    return current;
  }

  /**
   * The stored types to fetch for a filter on `types`: every stored type whose latest version
   * is wanted. A wanted type that itself upcasts to something newer matches nothing.
   */
  storedTypesFor(types: readonly string[]): string[] {
    const wanted = new Set(types);
    const candidates = new Set([...types, ...this.#byFromType.keys()]);
    return [...candidates].filter((type) => wanted.has(this.latestTypeOf(type)));
  }

  upcast<E extends RecordedEvent>(event: E): E {
    let current: E = event;
    for (let next = this.#byFromType.get(current.type); next; next = this.#byFromType.get(current.type)) {
      const upcast = next.upcast({ data: current.data, metadata: current.metadata });
      current = { ...current, type: next.toType, data: upcast.data, metadata: upcast.metadata ?? current.metadata };
    }
    return current;
  }
}
