import { z } from 'zod';
import {
  ACTION_TYPES,
  OPPORTUNITY_TYPES,
  defaultObservationConfig,
  defaultRuleSet,
  holdoutRuleSet,
  ruleSetsByVersion,
  type ObservationConfig,
  type OpportunityType,
  type RuleSet,
} from '#revenue';

/**
 * The schema of a rule set and of the observation settings, outside the pure domain: the runtime
 * validates what it hands to src/revenue, which then trusts it. Every field is required (a rule
 * set is read whole); unknown fields are refused, so a misspelt threshold cannot go unnoticed.
 */
const share = z.number().min(0).max(1);
const positive = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);
const source = z.string().min(1).max(100);
const byType = <T extends z.ZodTypeAny>(value: T) =>
  z.object(Object.fromEntries(OPPORTUNITY_TYPES.map((t) => [t, value])) as Record<OpportunityType, T>).strict();
const actionType = z.enum(ACTION_TYPES);

export const ruleSetSchema = z
  .object({
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/, 'letters, digits, . + - (at most 64)'),
    windowDays: z.number().int().min(1).max(365),
    voiceSecondTokenWeight: nonNegative,
    upsell: z
      .object({
        source,
        confidence: share,
        textTokensAbove: nonNegative,
        voiceSecondsAbove: nonNegative,
        tierBelow: z.number().int().min(1),
        defaultTier: z.number().int().min(1),
      })
      .strict(),
    churn: z.object({ source, confidence: share, recentToPreviousRatioBelow: positive }).strict(),
    crossSell: z.object({ source, confidence: share, textTokensAbove: nonNegative, maxVoiceSeconds: nonNegative }).strict(),
    featureExpansion: z.object({ source, confidence: share, minGrowthRatio: positive, minPreviousVolume: nonNegative }).strict(),
    creditOffer: z
      .object({ source, confidence: share, maxRunwayDays: nonNegative, textTokensPerCredit: positive, voiceSecondsPerCredit: positive })
      .strict(),
    actions: z
      .object({
        byOpportunityType: byType(actionType),
        fallback: actionType,
        minConfidence: share,
        maxPerRun: z.number().int().min(0).max(100),
        cooldownDays: nonNegative,
        creditCost: nonNegative.multipleOf(0.0001),
      })
      .strict(),
    expansion: z.object({ mrrWeights: byType(nonNegative).partial() }).strict(),
    holdouts: byType(
      z
        .object({
          experimentId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and -'),
          share: z.number().min(0).max(0.5),
        })
        .strict(),
    )
      .partial()
      .optional(),
  })
  .strict();

export const observationConfigSchema = z
  .object({
    windowDays: z.number().int().min(1).max(365),
    retentionRecoveryShare: z.number().gt(0).max(1),
    prices: z
      .object({
        tierMonthly: z.array(nonNegative).min(1).max(100),
        crossSellConversion: nonNegative,
        featureExpansion: nonNegative,
      })
      .strict(),
  })
  .strict();

const issuesOf = (error: z.ZodError, prefix: string) => error.issues.map((i) => `${[prefix, ...i.path].join('.')}: ${i.message}`);

/** A rule set checked against the schema: the rule set, or every problem at once. */
export function validateRuleSet(candidate: unknown): { ruleSet: RuleSet } | { issues: string[] } {
  const parsed = ruleSetSchema.safeParse(candidate);
  return parsed.success ? { ruleSet: parsed.data as RuleSet } : { issues: issuesOf(parsed.error, 'ruleSet') };
}

export interface RuleConfig {
  readonly ruleSet: RuleSet;
  readonly observation: ObservationConfig;
}

/**
 * The rules the engine decides with, from the environment:
 * - `RULE_SET_VERSION`: one of ruleSetsByVersion. Unset: the version with holdouts
 *   (`2026-12-01.1`, 10 % of each play held out) for the demo, and the specification's
 *   `2025-11-21.1` (no holdout) with NODE_ENV=production, where a control group is a choice.
 * - `OBSERVATION_WINDOW_DAYS`: days after detection an outcome is observed (default 30).
 */
export function parseRuleConfig(env: Readonly<Record<string, string | undefined>>): { config: RuleConfig } | { issues: string[] } {
  const issues: string[] = [];
  const fallback = env['NODE_ENV'] === 'production' ? defaultRuleSet : holdoutRuleSet;
  const version = env['RULE_SET_VERSION'] ?? fallback.version;
  const known = Object.hasOwn(ruleSetsByVersion, version) ? ruleSetsByVersion[version] : undefined;
  if (!known) issues.push(`RULE_SET_VERSION: unknown version, expected one of ${Object.keys(ruleSetsByVersion).join(', ')}`);
  const checked = known ? validateRuleSet(known) : null;
  if (checked && 'issues' in checked) issues.push(...checked.issues);
  const windowText = env['OBSERVATION_WINDOW_DAYS'];
  const windowDays = windowText === undefined ? defaultObservationConfig.windowDays : Number(windowText);
  const observation = observationConfigSchema.safeParse({ ...defaultObservationConfig, windowDays });
  if (!observation.success)
    issues.push(
      ...issuesOf(observation.error, 'OBSERVATION_WINDOW_DAYS').map((i) =>
        i.replace(/^OBSERVATION_WINDOW_DAYS\.windowDays/, 'OBSERVATION_WINDOW_DAYS'),
      ),
    );
  if (issues.length > 0 || !checked || 'issues' in checked || !observation.success) return { issues };
  return { config: { ruleSet: checked.ruleSet, observation: observation.data } };
}
