// An outbox dispatcher in its own process, for the test to kill with SIGKILL mid-delivery.
// Run: node --conditions=source --import tsx test/outbox/support/dispatcher-child.ts
// (OUTBOX_DB_URL = the test database, OUTBOX_CHANNELS = the CHANNELS JSON).
import { createDatabasePool } from '#database';
import { PostgresEventStore } from '#event-store';
import { systemClock } from '#revenue-commands';
import { defaultRuleSet } from '#revenue';
import { OutboxDispatcher, parseChannelConfig, channelRouting } from '#runtime';

const url = process.env.OUTBOX_DB_URL;
if (!url) throw new Error('OUTBOX_DB_URL is not set');
const parsed = parseChannelConfig({ CHANNELS: process.env.OUTBOX_CHANNELS });
if (!('config' in parsed)) throw new Error(parsed.issues.join('; '));
const pool = await createDatabasePool(url, { maximumPoolSize: 4 });
const store = new PostgresEventStore({ pool, connectionUrl: url, pollIntervalMs: 100 });
const deps = { store, pool, clock: systemClock, ruleSet: defaultRuleSet, channels: channelRouting(parsed.config) };
const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };
new OutboxDispatcher({ deps, config: parsed.config, logger: quiet, pollMs: 50, instanceId: 'child' }).start();
process.stdout.write('dispatcher started\n');
