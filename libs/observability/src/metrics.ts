import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Registry } from 'prom-client';
export type { Counter, Gauge, Histogram } from 'prom-client';

/**
 * One registry per process (or per app in tests, so several apps do not collide on names),
 * with Node's default metrics. Other modules register their own series on it with the
 * get-or-create helpers below.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

interface SeriesSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

// Get-or-create: modules that wire twice (tests, rebuilt apps) reuse the series instead of
// hitting prom-client's "already registered" error; a clash of kinds is a programming error.
function existing<T>(registry: Registry, name: string, kind: abstract new (...args: never[]) => T): T | undefined {
  const found = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof kind)) throw new Error(`metric ${name} is already registered with another type`);
  return found;
}

export function counter<L extends string>(registry: Registry, spec: SeriesSpec<L>): Counter<L> {
  return (
    existing<Counter<L>>(registry, spec.name, Counter) ??
    new Counter<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] })
  );
}

export function gauge<L extends string>(
  registry: Registry,
  spec: SeriesSpec<L> & { collect?: (this: Gauge<L>) => void | Promise<void> },
): Gauge<L> {
  return (
    existing<Gauge<L>>(registry, spec.name, Gauge) ?? new Gauge<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] })
  );
}

export function histogram<L extends string>(registry: Registry, spec: SeriesSpec<L> & { buckets?: number[] }): Histogram<L> {
  return (
    existing<Histogram<L>>(registry, spec.name, Histogram) ??
    new Histogram<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [registry] })
  );
}
