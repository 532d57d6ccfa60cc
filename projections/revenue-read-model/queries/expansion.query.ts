import { z } from 'zod';
import { sql, type CommonQueryMethods } from '#database';
import { type OpportunityType, type RuleSet } from '#revenue';
import { listOpportunities, type OpportunityView } from './list-opportunities.query.js';

export interface ArmExpansion {
  readonly potentialMRR: number;
  readonly opportunities: number;
}

export interface ExpansionView {
  readonly potentialMRR: number;
  readonly opportunities: number;
  readonly topOpportunity: OpportunityView | null;
  /** potentialMRR split by experiment arm: treatment (actioned, with plays that have no holdout) and control (held out). */
  readonly byArm: { readonly treatment: ArmExpansion; readonly control: ArmExpansion };
  readonly potentialMRRDefinition: string;
}

export const POTENTIAL_MRR_DEFINITION =
  "every open opportunity of both arms (the specification's definition); byArm splits it into treatment (actioned, including plays without a holdout) and control (held out, never actioned)";

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
const TotalsRow = z.object({
  potential: z.number(),
  n: z.number(),
  treatment_potential: z.number(),
  treatment_n: z.number(),
  control_potential: z.number(),
  control_n: z.number(),
});

/**
 * The spec's calculateExpansionRevenue over the read model: open upsell / cross_sell /
 * feature_expansion opportunities, weight x confidence (weights from the rule set), rounded to cents.
 * Summed in SQL with numeric, so cents are exact.
 */
export async function expansionOf(db: CommonQueryMethods, orgId: string, ruleSet: RuleSet): Promise<ExpansionView> {
  const weights = mrrWeights(ruleSet);
  const none = { potentialMRR: 0, opportunities: 0 };
  if (weights.length === 0)
    return { ...none, topOpportunity: null, byArm: { treatment: none, control: none }, potentialMRRDefinition: POTENTIAL_MRR_DEFINITION };
  const held = sql.fragment`o.arm = 'control'`;
  const totals = await db.one(sql.type(TotalsRow)`
    SELECT coalesce(round(sum(w.weight * o.confidence), 2), 0)::float8 AS potential, count(*)::int AS n,
      coalesce(round(sum(w.weight * o.confidence) FILTER (WHERE NOT coalesce(${held}, false)), 2), 0)::float8 AS treatment_potential,
      (count(*) FILTER (WHERE NOT coalesce(${held}, false)))::int AS treatment_n,
      coalesce(round(sum(w.weight * o.confidence) FILTER (WHERE ${held}), 2), 0)::float8 AS control_potential,
      (count(*) FILTER (WHERE ${held}))::int AS control_n
    FROM ${weightedOpenOpportunities(orgId, weights)}`);
  const n = totals.n;
  const types = weights.map(([type]) => type);
  const [top] = n ? await listOpportunities(db, orgId, { types, status: 'open', limit: 1 }) : [];
  return {
    potentialMRR: totals.potential,
    opportunities: n,
    topOpportunity: top ?? null,
    byArm: {
      treatment: { potentialMRR: totals.treatment_potential, opportunities: totals.treatment_n },
      control: { potentialMRR: totals.control_potential, opportunities: totals.control_n },
    },
    potentialMRRDefinition: POTENTIAL_MRR_DEFINITION,
  };
}
