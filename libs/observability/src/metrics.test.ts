import { describe, expect, it } from '@jest/globals';
import { counter, createMetricsRegistry, gauge, histogram } from './metrics.js';

describe('metrics registry helpers', () => {
  it('includes the default Node metrics and the series modules register', async () => {
    const registry = createMetricsRegistry();
    counter(registry, { name: 'events_appended_total', help: 'events appended', labelNames: ['stream_category'] }).inc(
      { stream_category: 'revenue' },
      3,
    );
    gauge(registry, { name: 'projection_lag_events', help: 'lag', labelNames: ['projection'] }).set({ projection: 'revenue' }, 7);
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('events_appended_total{stream_category="revenue"} 3');
    expect(text).toContain('projection_lag_events{projection="revenue"} 7');
  });

  it('returns the same series when registered twice, and refuses a clash of kinds', () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const first = counter(registry, { name: 'parked_events', help: 'parked' });
    expect(counter(registry, { name: 'parked_events', help: 'parked' })).toBe(first);
    expect(() => histogram(registry, { name: 'parked_events', help: 'parked' })).toThrow(/another type/);
  });

  it('keeps registries apart, so two apps in one process do not collide', async () => {
    const a = createMetricsRegistry({ defaultMetrics: false });
    const b = createMetricsRegistry({ defaultMetrics: false });
    counter(a, { name: 'x_total', help: 'x' }).inc();
    expect(await b.metrics()).not.toContain('x_total');
  });
});
