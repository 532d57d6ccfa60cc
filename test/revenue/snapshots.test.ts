import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from '#database';
import { decideOnStream, loadState, PostgresSnapshotStore, type SnapshotPolicy } from '#event-store';
import { eraseOrg } from '#runtime';
import { REVENUE_STATE_SCHEMA, revenueFold } from '#revenue-commands';
import { revenueStreamName, type RevenueEvent } from '#revenue';
import { appendHistory, generateHistory } from '../projections/support/revenue-history.js';
import { AS_OF, createRevenueStack, type RevenueStack } from '../support/revenue-stack.js';

const ctx = { command: 'SnapshotTest', actor: { kind: 'system' as const, id: 'test' }, correlationId: 'c', now: AS_OF };

/**
 * Snapshots are a cache of the fold: with or without them, every load gives the same state and
 * revision, at any length of stream; a snapshot that no longer matches its stream (re-created
 * after an erasure, another schema) is ignored; erasure deletes it.
 */
describe('snapshots of org state', () => {
  let stack: RevenueStack;
  let policy: SnapshotPolicy;
  beforeAll(async () => {
    stack = await createRevenueStack();
    policy = { store: new PostgresSnapshotStore(stack.db.pool), schema: REVENUE_STATE_SCHEMA, every: 50 };
  });
  afterAll(async () => stack?.close());

  /** The projections' tables reference organizations: every org of a generated history exists. */
  const newOrg = async () => {
    const orgId = crypto.randomUUID();
    await stack.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'snapshot test')`);
    return orgId;
  };
  const full = (orgId: string) => loadState(stack.store, revenueStreamName(orgId), revenueFold);
  const viaSnapshot = (orgId: string) => loadState(stack.store, revenueStreamName(orgId), revenueFold, policy);
  /** A command that decides nothing: it loads (taking a snapshot when the policy says so). */
  const touch = (orgId: string) => decideOnStream(stack.store, revenueStreamName(orgId), revenueFold, () => [], ctx, { snapshots: policy });

  it('gives the fold of the whole stream, on generated histories of every length, as the stream grows', async () => {
    for (const seed of [1, 2, 3]) {
      const orgId = await newOrg();
      const history = generateHistory(orgId, { seed, days: 60, today: AS_OF });
      // Append in three parts, taking snapshots between them, so later loads fold a snapshot plus a tail.
      const third = Math.ceil(history.length / 3);
      for (let part = 0; part < 3; part++) {
        await appendHistory(stack.store, orgId, history.slice(part * third, (part + 1) * third));
        await touch(orgId);
        const [a, b] = [await full(orgId), await viaSnapshot(orgId)];
        expect({ state: b.state, revision: b.revision }).toEqual({ state: a.state, revision: a.revision });
      }
      const saved = await policy.store.load(revenueStreamName(orgId), policy.schema);
      expect(saved).not.toBeNull();
      const last = await viaSnapshot(orgId);
      expect(last.folded).toBeLessThan((await full(orgId)).folded);
    }
  });

  it('folds only the events after the snapshot: a long stream loads in a few events', async () => {
    const orgId = await newOrg();
    await appendHistory(stack.store, orgId, generateHistory(orgId, { seed: 9, days: 120, today: AS_OF }));
    const before = await full(orgId);
    expect(before.folded).toBeGreaterThan(500);
    await touch(orgId);
    const after = await viaSnapshot(orgId);
    expect(after.folded).toBe(0);
    expect(after.state).toEqual(before.state);
  });

  it('ignores a snapshot whose stream was deleted and written again, or of another schema', async () => {
    const orgId = await newOrg();
    const stream = revenueStreamName(orgId);
    await appendHistory(stack.store, orgId, generateHistory(orgId, { seed: 4, days: 40, today: AS_OF }));
    await touch(orgId);
    expect(await policy.store.load(stream, policy.schema)).not.toBeNull();
    await stack.store.deleteStream(stream);
    await appendHistory(stack.store, orgId, generateHistory(orgId, { seed: 5, days: 3, today: AS_OF }));
    const fresh = await full(orgId);
    expect((await viaSnapshot(orgId)).state).toEqual(fresh.state);
    const other = await loadState(stack.store, stream, revenueFold, { ...policy, schema: 'revenue-account-state/0' });
    expect(other.state).toEqual(fresh.state);
  });

  it('is a cache: a broken snapshot store costs the shortcut, never the command', async () => {
    const orgId = await newOrg();
    await appendHistory(stack.store, orgId, generateHistory(orgId, { seed: 6, days: 30, today: AS_OF }));
    const failing: SnapshotPolicy = {
      ...policy,
      store: {
        load: () => Promise.reject(new Error('down')),
        save: () => Promise.reject(new Error('down')),
        delete: () => Promise.resolve(),
      },
    };
    const decided = await decideOnStream(stack.store, revenueStreamName(orgId), revenueFold, () => [] as RevenueEvent[], ctx, {
      snapshots: failing,
    });
    expect(decided.state).toEqual((await full(orgId)).state);
  });

  it('is erased with the org', async () => {
    const orgId = await newOrg();
    await appendHistory(stack.store, orgId, generateHistory(orgId, { seed: 7, days: 30, today: AS_OF }));
    await touch(orgId);
    expect(await policy.store.load(revenueStreamName(orgId), policy.schema)).not.toBeNull();
    await eraseOrg({ store: stack.store, pool: stack.db.pool, waitForProjections: async () => true }, orgId, {
      actor: { kind: 'service', id: 'test' },
      correlationId: 'erase',
      now: AS_OF,
    });
    const left = await stack.db.pool.oneFirst(
      sql.unsafe`SELECT count(*)::int FROM event_store.snapshots WHERE stream_name = ${revenueStreamName(orgId)}`,
    );
    expect(left).toBe(0);
  });
});
