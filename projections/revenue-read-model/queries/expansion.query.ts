import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { type OpportunityType, type RuleSet } from '#revenue';
import { listOpportunities, type OpportunityView } from './list-opportunities.query.js';

export interface ExpansionView {
  readonly potentialMRR: number;
  readonly opportunities: number;
  readonly topOpportunity: OpportunityView | null;
}

/** The rule set's MRR weight per opportunity type (types without one count nothing). */
export function mrrWeights(ruleSet: RuleSet): Array<[OpportunityType, number]> {
  return Object.entries(ruleSet.expansion.mrrWeights).filter((entry): entry is [OpportunityType, number] => typeof entry[1] === 'number');
}

/**
 * The open opportunities of the org that count towards potential MRR, each with its type's
 * weight as `w.weight` (alias `o` for the opportunity): what expansionOf and the summary sum.
 */
export function weightedOpenOpportunities(orgId: string, weights: ReadonlyArray<[OpportunityType, number]>) {
  return sql.fragment`revenue_opportunities o
    JOIN ${sql.unnest(
      weights.map(([type, weight]) => [type, weight]),
      ['text', 'numeric'],
    )} AS w(type, weight) ON w.type = o.type
    WHERE o.org_id = ${orgId} AND o.status = 'open'`;
}

/** Types the row, not checked at run time (row-types.ts). */
const TotalsRow = z.object({ potential: z.number(), n: z.number() });

/**
 * The spec's calculateExpansionRevenue over the read model: open upsell / cross_sell /
 * feature_expansion opportunities, weight x confidence (weights from the rule set), rounded to cents.
 * Summed in SQL with numeric, so cents are exact.
 */
export async function expansionOf(db: CommonQueryMethods, orgId: string, ruleSet: RuleSet): Promise<ExpansionView> {
  const weights = mrrWeights(ruleSet);
  if (weights.length === 0) return { potentialMRR: 0, opportunities: 0, topOpportunity: null };
  const totals = await db.one(sql.type(TotalsRow)`
    SELECT coalesce(round(sum(w.weight * o.confidence), 2), 0)::float8 AS potential, count(*)::int AS n
    FROM ${weightedOpenOpportunities(orgId, weights)}`);
  const n = totals.n;
  const types = weights.map(([type]) => type);
  const [top] = n ? await listOpportunities(db, orgId, { types, status: 'open', limit: 1 }) : [];
  return { potentialMRR: totals.potential, opportunities: n, topOpportunity: top ?? null };
}
