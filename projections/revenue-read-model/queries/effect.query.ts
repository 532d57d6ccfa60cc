import { z } from 'zod';
import { sql, type CommonQueryMethods, type DatabasePool } from '#database';
import { METHOD, OPPORTUNITY_TYPES, upliftOf, type ArmAggregate, type OpportunityType, type UpliftFigures } from '#revenue';

const ArmRow = z.object({
  play: z.enum(OPPORTUNITY_TYPES),
  experiment_id: z.string(),
  arm: z.enum(['treatment', 'control']),
  holdout_share: z.number().nullable(),
  /** Built in SQL in the shape upliftOf takes. */
  aggregate: z.custom<ArmAggregate>(),
});

export interface PlayEffect extends UpliftFigures {
  readonly play: OpportunityType | 'overall';
  readonly experimentId: string | null;
  readonly holdoutShare: number | null;
}

export interface EffectReport {
  readonly generatedAt: string;
  readonly method: typeof METHOD & { readonly unit: string; readonly overall: string };
  readonly observationWindowDays: number;
  readonly plays: readonly PlayEffect[];
  readonly overall: PlayEffect;
}

const UNIT =
  "an org counts once per play and experiment, by its first observed opportunity there (later re-detections of the same org are not new, independent units); credits spent are those charged for those opportunities' actions";
const OVERALL = 'every play pooled: an (org, play) pair is one unit, so an org detected for two plays counts twice';

/**
 * Per play, experiment and arm: orgs observed, conversions, realised MRR (sum and sum of squares,
 * for the mean's variance) and the credits charged for the counted opportunities' actions. One
 * statement over the observed opportunities (index idx_revenue_opportunities_effect).
 */
async function armAggregates(db: CommonQueryMethods) {
  return db.any(sql.type(ArmRow)`
    WITH firsts AS (
      SELECT DISTINCT ON (o.type, o.experiment_id, o.org_id)
        o.id, o.type, o.experiment_id, o.arm, o.holdout_share, o.converted, o.realised_mrr
      FROM revenue_opportunities o
      WHERE o.observed_at IS NOT NULL AND o.experiment_id IS NOT NULL
      ORDER BY o.type, o.experiment_id, o.org_id, o.created_at, o.id),
    spent AS (
      SELECT a.opportunity_id, sum(a.credits_charged) AS credits FROM revenue_actions a
      WHERE a.credits_charged > 0 GROUP BY a.opportunity_id)
    SELECT f.type AS play, f.experiment_id, f.arm, max(f.holdout_share)::float8 AS holdout_share,
      json_build_object('orgs', count(*), 'conversions', count(*) FILTER (WHERE f.converted),
        'mrrSum', coalesce(sum(f.realised_mrr), 0)::float8, 'mrrSumOfSquares', coalesce(sum(f.realised_mrr * f.realised_mrr), 0)::float8,
        'creditsSpent', coalesce(sum(s.credits), 0)::float8) AS aggregate
    FROM firsts f LEFT JOIN spent s ON s.opportunity_id = f.id
    GROUP BY f.type, f.experiment_id, f.arm`);
}

const emptyArm: ArmAggregate = { orgs: 0, conversions: 0, mrrSum: 0, mrrSumOfSquares: 0, creditsSpent: 0 };
const addArms = (a: ArmAggregate, b: ArmAggregate): ArmAggregate => ({
  orgs: a.orgs + b.orgs,
  conversions: a.conversions + b.conversions,
  mrrSum: a.mrrSum + b.mrrSum,
  mrrSumOfSquares: a.mrrSumOfSquares + b.mrrSumOfSquares,
  creditsSpent: a.creditsSpent + b.creditsSpent,
});

/**
 * The uplift report (GET /api/analytics/effect, `revenue-engine effect`): per play and experiment
 * treatment versus control with the lift's interval, and every play pooled. Plays in order of
 * OPPORTUNITY_TYPES, then by experiment id; only experiments with observations appear.
 */
export async function effectReport(
  db: Pick<DatabasePool, 'transaction'>,
  options: { readonly now: Date; readonly observationWindowDays: number },
): Promise<EffectReport> {
  const rows = await db.transaction(async (tx) => {
    // One aggregate over every observed opportunity: memory for its hash join instead of batches
    // on disk, and no JIT, which costs more than it saves here (docs/PERFORMANCE.md, issue 14).
    await tx.query(sql.unsafe`SET LOCAL work_mem = '64MB'`);
    await tx.query(sql.unsafe`SET LOCAL jit = off`);
    return armAggregates(tx);
  });
  const experiments = new Map<
    string,
    { play: OpportunityType; experimentId: string; share: number | null; treatment: ArmAggregate; control: ArmAggregate }
  >();
  for (const r of rows) {
    const key = `${r.play}\u0000${r.experiment_id}`;
    const entry = experiments.get(key) ?? {
      play: r.play,
      experimentId: r.experiment_id,
      share: null,
      treatment: emptyArm,
      control: emptyArm,
    };
    experiments.set(key, { ...entry, share: r.holdout_share ?? entry.share, [r.arm]: r.aggregate });
  }
  const ordered = [...experiments.values()].sort(
    (a, b) => OPPORTUNITY_TYPES.indexOf(a.play) - OPPORTUNITY_TYPES.indexOf(b.play) || a.experimentId.localeCompare(b.experimentId),
  );
  const plays = ordered.map((e): PlayEffect => ({
    play: e.play,
    experimentId: e.experimentId,
    holdoutShare: e.share,
    ...upliftOf(e.treatment, e.control),
  }));
  const pooled = ordered.reduce(
    (sum, e) => ({ treatment: addArms(sum.treatment, e.treatment), control: addArms(sum.control, e.control) }),
    {
      treatment: emptyArm,
      control: emptyArm,
    },
  );
  return {
    generatedAt: options.now.toISOString(),
    method: { ...METHOD, unit: UNIT, overall: OVERALL },
    observationWindowDays: options.observationWindowDays,
    plays,
    overall: { play: 'overall', experimentId: null, holdoutShare: null, ...upliftOf(pooled.treatment, pooled.control) },
  };
}
