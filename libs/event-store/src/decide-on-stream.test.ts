import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '#database/testing';
import { decideOnStream, type AppendContext, type Fold } from './decide-on-stream.js';
import { WrongExpectedRevisionError } from './errors.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

type Added = { type: 'test.added.v1'; data: { n: number } };
const counter: Fold<number, Added> = { initialState: 0, evolve: (sum, e) => sum + e.data.n };
const ctx = (overrides: Partial<AppendContext> = {}): AppendContext => ({
  command: 'Add',
  actor: { kind: 'system', id: 'test' },
  correlationId: randomUUID(),
  now: new Date('2026-01-01T00:00:00Z'),
  ...overrides,
});
const add = (n: number) => (): Added[] => [{ type: 'test.added.v1', data: { n } }];

describe('decideOnStream (load, fold, decide, append, re-decide on conflict)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore({ pool: db.pool, connectionUrl: db.url });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('20 concurrent deciders on one stream all land, each on fresh state', async () => {
    const stream = `counter-${randomUUID()}`;
    await Promise.all(Array.from({ length: 20 }, () => decideOnStream(store, stream, counter, add(1), ctx(), { maxAttempts: 50 })));
    const events = await store.readStream(stream);
    expect(events).toHaveLength(20);
    expect(events.reduce((s, e) => counter.evolve(s, e as unknown as Added), 0)).toBe(20);
  });

  it('with an expected revision (If-Match) a stale caller gets a conflict instead of a re-decision', async () => {
    const stream = `counter-${randomUUID()}`;
    const first = await decideOnStream(store, stream, counter, add(1), ctx());
    expect(first.revision).toBe(0n);
    await expect(decideOnStream(store, stream, counter, add(1), ctx(), { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    const second = await decideOnStream(store, stream, counter, add(2), ctx(), { expectedRevision: 0n });
    expect(second.state).toBe(3);
  });

  it('the same idempotency key yields the same event ids, so a retried append is not written twice', async () => {
    const stream = `counter-${randomUUID()}`;
    const key = randomUUID();
    const first = await decideOnStream(store, stream, counter, add(5), ctx({ idempotencyKey: key }));
    const [recorded] = await store.readStream(stream);
    const again = await store.append(stream, [{ type: 'test.added.v1', data: { n: 5 }, metadata: recorded!.metadata }], 'no_stream');
    expect(again.nextExpectedRevision).toBe(first.revision);
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});
