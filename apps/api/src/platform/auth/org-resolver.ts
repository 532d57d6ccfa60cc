import { Inject, Injectable } from '@nestjs/common';
import { sql, type DatabasePool } from '#database';
import { problems, type ProblemException } from '../errors/problem.js';
import type { OrgContext } from '../http/api-request.js';
import { DATABASE_POOL } from '../tokens.js';
import type { Principal } from './principal.js';
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

@Injectable()
export class OrgResolver {
  constructor(@Inject(DATABASE_POOL) private readonly pool: DatabasePool) {}

  /** Throws the problem to answer when the caller may not act in the selected org. */
  async resolve(principal: Principal, header: string | undefined): Promise<OrgContext> {
    const requested = header?.trim().toLowerCase() || undefined;
    if (requested !== undefined && !isUuid(requested)) throw problems.invalidOrgId();
    if (principal.kind === 'service') return this.forService(requested);
    const rows = await this.pool.any(sql.unsafe`
      SELECT org_id AS "orgId", role FROM user_organizations
      WHERE user_id = ${principal.id} ${requested ? sql.fragment`AND org_id = ${requested}` : sql.fragment``}`);
    const choice = chooseOrg(rows as readonly Membership[], requested);
    if (choice instanceof Error) throw choice;
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
