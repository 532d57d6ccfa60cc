import { Inject, Injectable, Optional } from '@nestjs/common';
import { sql, type DatabasePool } from '#database';
import { problems, type ProblemException } from '../errors/problem.js';
import type { OrgContext } from '../http/api-request.js';
import { DATABASE_POOL, MEMBERSHIP_CACHE_TTL } from '../tokens.js';
import type { Principal } from './principal.js';
import { ExpiringCache } from './expiring-cache.js';
import { isUuid } from '#database';

export interface Membership {
  readonly orgId: string;
  readonly role: 'owner' | 'admin' | 'member';
}

/**
 * The org a user acts in: the requested one, or their only org. Reads need owner or admin
 * (the spec's RLS). "No such org", "not a member" and "only a member" all answer the same
 * 404, so a caller cannot probe which org ids exist or who belongs where.
 */
export function chooseOrg(memberships: readonly Membership[], requested: string | undefined): OrgContext | ProblemException {
  const candidates = requested === undefined ? memberships : memberships.filter((m) => m.orgId === requested);
  if (requested === undefined && candidates.length > 1) return problems.orgRequired();
  const [only] = candidates;
  if (candidates.length !== 1 || !only || only.role === 'member') return problems.orgNotFound();
  return { orgId: only.orgId, role: only.role };
}

/**
 * How long an admitted user/org pair is reused without asking the database again: a revoked
 * membership (or a role lowered to member) stops reads and commands within this bound (at most
 * 5 s by issue 12; test/api-revenue/membership-cache.test.ts proves it over real HTTP).
 * Only admissions are kept: a refusal is asked again every time, so a new membership works at once.
 */
export const MEMBERSHIP_CACHE_TTL_MS = 1000;
const MEMBERSHIP_CACHE_MAX_TTL_MS = 5000;
const MEMBERSHIP_CACHE_ENTRIES = 10_000;

/** Admitted (user, requested org) pairs until their expiry; bounded (cleared when full), no timers. */
export class MembershipCache {
  private readonly entries: ExpiringCache<OrgContext>;

  constructor(
    private readonly ttlMs: number = MEMBERSHIP_CACHE_TTL_MS,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.entries = new ExpiringCache(ttlMs > 0 ? MEMBERSHIP_CACHE_ENTRIES : 0, now);
  }

  get(key: string): OrgContext | undefined {
    return this.entries.get(key);
  }

  set(key: string, context: OrgContext): void {
    this.entries.set(key, context, this.now() + this.ttlMs);
  }
}

@Injectable()
export class OrgResolver {
  private readonly admitted: MembershipCache;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    @Optional() @Inject(MEMBERSHIP_CACHE_TTL) ttlMs?: number,
  ) {
    this.admitted = new MembershipCache(Math.min(ttlMs ?? MEMBERSHIP_CACHE_TTL_MS, MEMBERSHIP_CACHE_MAX_TTL_MS));
  }

  /** Throws the problem to answer when the caller may not act in the selected org. */
  async resolve(principal: Principal, header: string | undefined): Promise<OrgContext> {
    const requested = header?.trim().toLowerCase() || undefined;
    if (requested !== undefined && !isUuid(requested)) throw problems.invalidOrgId();
    if (principal.kind === 'service') return this.forService(requested);
    const key = `${principal.id} ${requested ?? ''}`;
    const cached = this.admitted.get(key);
    if (cached !== undefined) return cached;
    const rows = await this.pool.any(sql.unsafe`
      SELECT org_id AS "orgId", role FROM user_organizations
      WHERE user_id = ${principal.id} ${requested ? sql.fragment`AND org_id = ${requested}` : sql.fragment``}`);
    const choice = chooseOrg(rows as readonly Membership[], requested);
    if (choice instanceof Error) throw choice;
    this.admitted.set(key, Object.freeze(choice));
    return choice;
  }

  /** Services act for any org (MAOS approves for all of them) but must name it. */
  private async forService(requested: string | undefined): Promise<OrgContext> {
    if (requested === undefined) throw problems.orgRequired();
    const exists = await this.pool.exists(sql.unsafe`SELECT 1 FROM organizations WHERE id = ${requested}`);
    if (!exists) throw problems.orgNotFound();
    return { orgId: requested, role: 'service' };
  }
}
