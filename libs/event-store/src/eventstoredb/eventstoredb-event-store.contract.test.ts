import { afterAll, beforeAll, describe, it } from '@jest/globals';
import type { StartedTestContainer } from 'testcontainers';
import { describeEventStoreContract } from '../../test-support/contract.js';
import { describeTarget } from './connection.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

/**
 * Runs the shared contract against a real EventStoreDB: EVENTSTORE_URL when set, otherwise a
 * throwaway container when a Docker engine answers. Without either it says so and skips:
 * a skipped suite is reported as skipped, never as passed.
 */
const IMAGE = 'eventstore/eventstore:24.10';
const GRPC_PORT = 2113;
// The probe rejects within milliseconds when there is no engine; the bound only guards a stuck socket.
const PROBE_TIMEOUT_MS = 5_000;
const CONTAINER_START_TIMEOUT_MS = 180_000;

type Server =
  { readonly kind: 'url'; readonly url: string } | { readonly kind: 'container' } | { readonly kind: 'none'; readonly reason: string };

async function findServer(): Promise<Server> {
  const url = process.env.EVENTSTORE_URL;
  if (url) return { kind: 'url', url };
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withTimeout(getContainerRuntimeClient(), PROBE_TIMEOUT_MS);
    return { kind: 'container' };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'none', reason: `EVENTSTORE_URL is not set and no Docker engine is available for testcontainers (${detail})` };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function startContainer(): Promise<{ url: string; container: StartedTestContainer }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
    })
    .withExposedPorts(GRPC_PORT)
    .withWaitStrategy(Wait.forHttp('/health/live', GRPC_PORT).forStatusCodeMatching((status) => status >= 200 && status < 300))
    .withStartupTimeout(CONTAINER_START_TIMEOUT_MS)
    .start();
  return { url: `esdb://${container.getHost()}:${container.getMappedPort(GRPC_PORT)}?tls=false`, container };
}

const server = await findServer();

if (server.kind === 'none') {
  // Exactly one line, so a CI log shows plainly that this adapter was not verified.
  process.stdout.write(`[tests] Skipped the EventStoreDB contract suite: ${server.reason}\n`);
  describe.skip(`EventStore contract: EventStoreDB (skipped: ${server.reason})`, () => {
    it('runs the shared contract against a real EventStoreDB server', () => undefined);
  });
} else {
  let url = server.kind === 'url' ? server.url : '';
  let container: StartedTestContainer | undefined;
  if (server.kind === 'container') {
    beforeAll(async () => {
      ({ url, container } = await startContainer());
    }, CONTAINER_START_TIMEOUT_MS);
    afterAll(async () => {
      await container?.stop();
    });
  }
  process.stdout.write(`[tests] EventStoreDB contract suite against ${server.kind === 'url' ? describeTarget(url).display : IMAGE}\n`);
  describeEventStoreContract('EventStoreDB', async () => {
    const store = EventStoreDbEventStore.connect(url);
    return { store, teardown: () => store.close() };
  });
}
