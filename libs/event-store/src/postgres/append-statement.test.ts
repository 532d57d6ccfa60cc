import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { newEvent } from '../../test-support/contract-helpers.js';
import type { NewEvent } from '../event-store.port.js';
import type { AppendTransport } from './append-statement.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { InvalidAppendError } from './validate-append.js';

/** Strings that JSON, pg's array literals or jsonb treat specially. */
const hostile = {
  lineSeparators: 'a\u2028b\u2029c',
  backslashes: 'C:\\dir\\file \\\\ \\n \\u0041',
  escapedNulText: '\\u0000',
  quotes: `"double" 'single' \`back\``,
  arrayLiteralSyntax: '{"a","b"} {NULL} NULL , } {',
  unicode: 'é ü 中文 😀 \uFFFF \u00A0',
  controls: '\u0001\u0007\b\t\n\v\f\r\u001F\u007F',
  emptyAndSpaces: '   ',
} as const;

const hostileData = (): Record<string, unknown> => ({
  ...hostile,
  keys: Object.fromEntries(Object.values(hostile).map((s, i) => [s, i])),
  nested: [hostile, [hostile.quotes, [hostile.backslashes]], null, true, -0, 1e308, 0.1, 12345678901234567890],
});

describe.each<AppendTransport>(['json', 'arrays'])('append transport %s: hostile strings', (transport) => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    db.pool.on('error', () => undefined);
    store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url, appendTransport: transport });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** What PostgreSQL stored for the stream, as text, so both transports can be compared byte for byte. */
  const storedText = (streamName: string) =>
    db.pool.any(sql.unsafe`
      SELECT stream_name, event_type, data::text AS data, metadata::text AS metadata
      FROM event_store.events WHERE stream_name = ${streamName} ORDER BY stream_revision`);

  const jsonbText = (value: unknown) => db.pool.oneFirst(sql.unsafe`SELECT ${JSON.stringify(value)}::jsonb::text`);

  it('stores data, metadata, type and stream name exactly as jsonb/text of the input', async () => {
    const streamName = `hostile ${hostile.quotes} ${hostile.backslashes} ${hostile.lineSeparators} ${hostile.unicode}`;
    const type = `hostile.${hostile.arrayLiteralSyntax}.${hostile.quotes}.v1`;
    const base = newEvent(type);
    const event: NewEvent = { ...base, data: hostileData(), metadata: { ...base.metadata, correlationId: hostile.backslashes } };
    await store.append(streamName, [event, { ...newEvent(type), data: [hostile.controls, hostile.escapedNulText] }], 'no_stream');

    const rows = await storedText(streamName);
    expect(rows.map((r) => [r.stream_name, r.event_type] as unknown)).toEqual([
      [streamName, type],
      [streamName, type],
    ]);
    expect(rows[0]!.data).toBe(await jsonbText(event.data));
    expect(rows[0]!.metadata).toBe(await jsonbText(event.metadata));
    expect(rows[1]!.data).toBe(await jsonbText([hostile.controls, hostile.escapedNulText]));
    const [read] = await store.readStream(streamName, { maxCount: 1 });
    expect(read!.data).toEqual(JSON.parse(JSON.stringify(event.data)));
  });

  it('carries big payloads: a 1 MB string and a 5,000-element array in one call', async () => {
    const streamName = `big-${randomUUID()}`;
    const big = 'x\\"\u2028'.repeat(256 * 1024);
    const events = [
      { ...newEvent('big.v1'), data: { big } },
      { ...newEvent('big.v1'), data: Array.from({ length: 5_000 }, (_, i) => ({ i, s: hostile.quotes })) },
    ];
    await store.append(streamName, events, 'no_stream');
    const read = await store.readStream(streamName);
    expect((read[0]!.data as { big: string }).big).toBe(big);
    expect(read[1]!.data).toEqual(events[1]!.data);
  });

  it('writes a lone surrogate in a stream name or type as U+FFFD (pg encodes text parameters so)', async () => {
    const id = randomUUID();
    await store.append(`lone-${id}-\uD800`, [newEvent('lone.\uDC00.v1')], 'no_stream');
    const rows = await storedText(`lone-${id}-\uFFFD`);
    expect(rows.map((r) => r.event_type)).toEqual(['lone.\uFFFD.v1']);
  });

  it('refuses a lone surrogate in data and writes nothing of the call', async () => {
    const streamName = `lone-data-${randomUUID()}`;
    const other = `lone-data-${randomUUID()}`;
    await expect(
      store.appendMany([
        { streamName: other, events: [newEvent('ok.v1')], expectedRevision: 'no_stream' },
        { streamName, events: [{ ...newEvent('lone.v1'), data: { s: 'a\uD83Db' } }], expectedRevision: 'no_stream' },
      ]),
    ).rejects.toThrow(/invalid input syntax for type json/); // jsonb's message; its detail names the surrogate
    expect(await storedText(other)).toEqual([]);
  });

  it('refuses NUL in data, metadata, type or stream name before the database', async () => {
    const base = newEvent('nul.v1');
    const calls: Array<[string, NewEvent]> = [
      [`nul-${randomUUID()}`, { ...base, data: { s: 'a\u0000b' } }],
      [`nul-${randomUUID()}`, { ...base, metadata: { ...base.metadata, correlationId: '\u0000' } }],
      [`nul-${randomUUID()}`, { ...base, type: 'nul\u0000.v1' }],
      [`nul-\u0000-${randomUUID()}`, base],
    ];
    for (const [streamName, event] of calls) {
      await expect(store.append(streamName, [event], 'no_stream')).rejects.toBeInstanceOf(InvalidAppendError);
    }
  });
});
