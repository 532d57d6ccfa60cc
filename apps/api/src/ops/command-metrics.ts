import { counter, histogram, type Registry } from '#observability';
import type { CommandSample } from '#revenue-commands';

/** Feeds command latency and appended events into /metrics (RevenueDeps.observe). */
export function commandMetrics(registry: Registry): (sample: CommandSample) => void {
  const latency = histogram(registry, {
    name: 'revenue_command_duration_seconds',
    help: 'Revenue command latency (load, decide, append), by command and outcome',
    labelNames: ['command', 'outcome'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const appended = counter(registry, {
    name: 'events_appended_total',
    help: 'Events appended by revenue commands',
    labelNames: ['command'],
  });
  return (sample) => {
    latency.observe({ command: sample.command, outcome: sample.outcome }, sample.durationMs / 1000);
    if (sample.eventsAppended) appended.inc({ command: sample.command }, sample.eventsAppended);
  };
}
