import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { formatPosition, type NewEvent, parsePosition } from '#event-store';
import { call, type Reply } from '../api-platform/harness.js';
import { userToken } from '../support/tokens.js';
import { addMember, type RevenueApi, seedGrowingOrg, startRevenueApi } from './support/revenue-api.js';

const WAIT_MS = 5_000;
// Room for the full wait plus the request around it.
const SLOW_TEST_MS = WAIT_MS + 15_000;

function heldBackEvent(): NewEvent {
  return {
    type: 'test.held-back.v1',
    data: {},
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      actor: { kind: 'system', id: 'test' },
      occurredAt: new Date().toISOString(),
    },
  };
}

/** X-Min-Position beyond the committed log answers 400 at once; a committed write within reach keeps the bounded wait. */
describe('X-Min-Position ahead of the log', () => {
  let api: RevenueApi;
  const owner = randomUUID();
  let orgId: string;
  let token: string;
  let analysis: Reply;

  beforeAll(async () => {
    api = await startRevenueApi({ readYourWritesTimeoutMs: WAIT_MS });
    orgId = await seedGrowingOrg(api.db);
    await addMember(api.db, owner, orgId, 'owner');
    token = await userToken(owner);
    analysis = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId });
    expect(analysis.status).toBe(200);
  });
  afterAll(async () => api?.close());

  const read = (minPosition: string) =>
    call(api, '/api/revenue/opportunities', { token, orgId, headers: { 'x-min-position': minPosition } });
  const written = () => parsePosition(analysis.headers.get('x-log-position')!)!;

  it('refuses a far position with 400 min-position-ahead at once, naming the head', async () => {
    const started = Date.now();
    const reply = await read('999999999-1');
    const elapsed = Date.now() - started;
    expect([reply.status, reply.body.type, reply.headers.get('retry-after')]).toEqual([400, '/problems/min-position-ahead', null]);
    expect(reply.contentType).toContain('application/problem+json');
    expect(reply.body).toMatchObject({ minPosition: '999999999-1', head: formatPosition(written()) });
    expect(reply.body.detail).toContain("ahead of this log's head");
    expect(elapsed).toBeLessThan(WAIT_MS); // it did not sit out the read-your-writes wait
  });

  it('refuses the position just after the head (same transaction, next global position)', async () => {
    const { commit, prepare } = written();
    const reply = await read(`${commit}-${prepare + 1n}`);
    expect([reply.status, reply.body.type]).toEqual([400, '/problems/min-position-ahead']);
  });

  it("answers 200 for a position equal to the latest write's X-Log-Position", async () => {
    const reply = await read(analysis.headers.get('x-log-position')!);
    expect(reply.status).toBe(200);
    expect(reply.body.success).toBe(true);
  });

  it('treats a foreign position with a lower transaction id as within the log (the log order decides), not as ahead', async () => {
    // e.g. from another database: its global position is beyond anything written here, but its
    // commit part is below this head's, so in the log's order it is behind the head.
    const reply = await read(`${written().commit - 1n}-999999999`);
    expect(reply.status).toBe(200);
  });

  it(
    'keeps the bounded wait (503 + Retry-After, not 400) for a committed write the projections have not applied',
    async () => {
      await api.pauseProjections();
      try {
        // A fresh org, so the analysis writes new events (re-analysing the same org may write none).
        const other = await seedGrowingOrg(api.db);
        await addMember(api.db, owner, other, 'owner');
        const fresh = await call(api, '/api/revenue/analyze', { method: 'POST', token, orgId: other });
        expect(fresh.status).toBe(200);
        const reply = await call(api, '/api/revenue/opportunities', {
          token,
          orgId: other,
          headers: { 'x-min-position': fresh.headers.get('x-log-position')! },
        });
        expect([reply.status, reply.body.type, reply.headers.get('retry-after')]).toEqual([503, '/problems/read-model-behind', '1']);
      } finally {
        api.resumeProjections();
      }
    },
    SLOW_TEST_MS,
  );

  it(
    'keeps the bounded wait for a committed write an older open transaction still hides from readers',
    async () => {
      const older = new pg.Client({ connectionString: api.db.url });
      await older.connect();
      try {
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()'); // older than the append: holds the log horizon back
        const { position } = await api.store.append(`test-held-back-${randomUUID()}`, [heldBackEvent()], 'no_stream');
        expect(await api.store.headPosition()).not.toEqual(position); // committed, but not readable
        const reply = await read(formatPosition(position));
        expect([reply.status, reply.body.type, reply.headers.get('retry-after')]).toEqual([503, '/problems/read-model-behind', '1']);
      } finally {
        await older.query('COMMIT');
        await older.end();
      }
    },
    SLOW_TEST_MS,
  );
});
