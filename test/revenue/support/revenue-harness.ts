import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { sql } from '#database';
import { RevenueCommandsModule, type CommandMeta } from '#revenue-commands';
import { AS_OF, createRevenueStack, type RevenueStack } from '../../support/revenue-stack.js';

export { AS_OF, TestClock } from '../../support/revenue-stack.js';

export interface RevenueHarness extends RevenueStack {
  readonly commands: CommandBus;
  meta(overrides?: Partial<CommandMeta>): CommandMeta;
}

/** The revenue stack with the commands on @nestjs/cqrs's CommandBus (no HTTP). */
export async function createRevenueHarness(): Promise<RevenueHarness> {
  const stack = await createRevenueStack();
  const moduleRef = await Test.createTestingModule({ imports: [RevenueCommandsModule.forRoot(stack.deps)] }).compile();
  await moduleRef.init();
  // On top of the stack (not a copy of it: `runner` is a getter that follows pause/resume).
  return Object.assign(Object.create(stack) as RevenueStack, {
    commands: moduleRef.get(CommandBus),
    meta: (overrides: Partial<CommandMeta> = {}): CommandMeta => ({
      actor: { kind: 'user', id: randomUUID() },
      correlationId: randomUUID(),
      ...overrides,
    }),
    async close() {
      await moduleRef.close();
      await stack.close();
    },
  });
}

/** An org with a wallet and daily usage rows: `daily(dayIndex)` gives the usage `dayIndex` days before AS_OF. */
export async function seedOrg(
  h: RevenueHarness,
  options: { tier?: number | null; balance?: number; days?: number; daily?: (daysAgo: number) => { text: number; voice: number } } = {},
): Promise<string> {
  const orgId = randomUUID();
  await h.db.pool.query(sql.unsafe`INSERT INTO organizations (id, name) VALUES (${orgId}, 'test org')`);
  if (options.tier !== null) {
    await h.db.pool.query(
      sql.unsafe`INSERT INTO token_wallets (org_id, tier, balance) VALUES (${orgId}, ${options.tier ?? 1}, ${options.balance ?? 10})`,
    );
  }
  const rows: Array<[string, string, number, number]> = [];
  for (let d = 1; d <= (options.days ?? 0); d++) {
    const { text, voice } = options.daily!(d);
    rows.push([orgId, new Date(AS_OF.getTime() - d * 86_400_000 + 3_600_000).toISOString(), text, voice]);
  }
  if (rows.length) {
    await h.db.pool.query(sql.unsafe`
      INSERT INTO token_usage (org_id, period_start, text_tokens_used, voice_seconds_used)
      SELECT * FROM ${sql.unnest(rows, ['uuid', 'timestamptz', 'int8', 'int8'])}`);
  }
  return orgId;
}
