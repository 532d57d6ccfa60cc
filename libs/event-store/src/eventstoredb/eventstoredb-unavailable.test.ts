import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError } from '../errors.js';
import type { NewEvent } from '../event-store.port.js';
import { InvalidConnectionStringError } from './connection.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// Runs everywhere: nothing listens on port 1, so the connection is refused at once.
const PASSWORD = 'Sup3r-s3cret';
const UNREACHABLE = `esdb://admin:${PASSWORD}@127.0.0.1:1?tls=false`;
// No timed assertion: a hang fails this per-test timeout instead of the suite's 60 s one.
const HANG_GUARD_MS = 15_000;

function newEvent(): NewEvent {
  const metadata = {
    eventId: randomUUID(),
    correlationId: 'c',
    causationId: null,
    actor: { kind: 'system' as const, id: 'test' },
    occurredAt: new Date(0).toISOString(),
  };
  return { type: 'test.unavailable.v1', data: { n: 1 }, metadata };
}

async function failure(operation: Promise<unknown>): Promise<Error> {
  const outcome = await operation.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error as Error,
  );
  return outcome;
}

function expectUnavailableWithoutSecret(error: Error): void {
  expect(error).toBeInstanceOf(EventStoreUnavailableError);
  expect(error.message).toContain('127.0.0.1:1');
  expect(error.message).not.toContain(PASSWORD);
  expect(String(error.cause)).not.toContain(PASSWORD);
}

describe('EventStoreDB adapter when the server is unreachable', () => {
  const store = EventStoreDbEventStore.connect(UNREACHABLE);
  afterAll(() => store.close());

  it(
    'append rejects with EventStoreUnavailableError without leaking the password',
    async () => {
      expectUnavailableWithoutSecret(await failure(store.append(`org-${randomUUID()}`, [newEvent()], 'no_stream')));
    },
    HANG_GUARD_MS,
  );

  it(
    'a second append (after the client dropped the failed channel) rejects the same way',
    async () => {
      expectUnavailableWithoutSecret(await failure(store.append(`org-${randomUUID()}`, [newEvent()], 'any')));
    },
    HANG_GUARD_MS,
  );

  it(
    'readStream rejects with EventStoreUnavailableError',
    async () => {
      expectUnavailableWithoutSecret(await failure(store.readStream(`org-${randomUUID()}`)));
    },
    HANG_GUARD_MS,
  );

  it(
    'appendMany, readAll, headPosition, committedHead and deleteStream reject with EventStoreUnavailableError',
    async () => {
      const batch = [{ streamName: `org-${randomUUID()}`, events: [newEvent()], expectedRevision: 'any' as const }];
      expectUnavailableWithoutSecret(await failure(store.appendMany(batch)));
      expectUnavailableWithoutSecret(await failure(store.readAll({ maxCount: 10 })));
      expectUnavailableWithoutSecret(await failure(store.headPosition()));
      expectUnavailableWithoutSecret(await failure(store.committedHead()));
      expectUnavailableWithoutSecret(await failure(store.deleteStream(`org-${randomUUID()}`)));
    },
    HANG_GUARD_MS,
  );

  it(
    'a subscription fails with EventStoreUnavailableError instead of waiting forever',
    async () => {
      const iterator = store.subscribeToAll({ eventTypes: ['test.unavailable.v1'] })[Symbol.asyncIterator]();
      expectUnavailableWithoutSecret(await failure(iterator.next()));
    },
    HANG_GUARD_MS,
  );

  it('after close, calls reject with EventStoreUnavailableError', async () => {
    const closed = EventStoreDbEventStore.connect(UNREACHABLE);
    await closed.close();
    const error = await failure(closed.readStream('org-1'));
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(error.message).toMatch(/closed/);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('EventStoreDB adapter configuration', () => {
  it('rejects a malformed connection string with a typed error that hides the password', () => {
    const connect = () => EventStoreDbEventStore.connect(`esdb://admin:${PASSWORD}@127.0.0.1:2113?tls=perhaps`);
    expect(connect).toThrow(InvalidConnectionStringError);
    expect(connect).not.toThrow(PASSWORD);
  });

  it('refuses bad input before any network call', async () => {
    const store = EventStoreDbEventStore.connect(UNREACHABLE);
    await expect(store.append('org-1', [], 'any')).rejects.toThrow(RangeError);
    await expect(store.readStream('org-1', { maxCount: 0 })).rejects.toThrow(RangeError);
    expect(() => store.subscribeToAll({ maxBatchSize: -1 })).toThrow(RangeError);
    await store.close();
  });
});
