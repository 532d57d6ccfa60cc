import { describe, expect, it } from '@jest/globals';
import { InvalidCommandError } from '../errors.js';
import { usageSummary } from '../test-support/fixtures.js';
import { detectAll, detectChurn, detectCreditOffer, detectCrossSell, detectFeatureExpansion, detectUpsell } from './detect.js';
import { defaultRuleSet, type RuleSet } from './rule-set.js';

const version = defaultRuleSet.version;

describe('detectUpsell (spec: tokens > 50,000 or voice > 300, tier < 3, no wallet = tier 1)', () => {
  it.each([
    ['tokens just below', false, { textTokens: 49_999 }],
    ['tokens exactly at the threshold', false, { textTokens: 50_000 }],
    ['tokens just above', true, { textTokens: 50_001 }],
    ['voice just below', false, { voiceSeconds: 299 }],
    ['voice exactly at the threshold', false, { voiceSeconds: 300 }],
    ['voice just above', true, { voiceSeconds: 301 }],
  ])('%s -> fires: %s', (_label, fires, recent) => {
    expect(detectUpsell(usageSummary({ tier: 2, recent })) !== null).toBe(fires);
  });

  it.each([
    [1, true],
    [2, true],
    [3, false],
    [4, false],
  ])('tier %i -> fires: %s', (tier, fires) => {
    expect(detectUpsell(usageSummary({ tier, recent: { textTokens: 60_000 } })) !== null).toBe(fires);
  });

  it('records the spec details and the numbers that fired it', () => {
    expect(detectUpsell(usageSummary({ tier: 2, recent: { textTokens: 60_000, voiceSeconds: 120, rows: 4 } }))).toEqual({
      type: 'upsell',
      source: 'usage_analysis',
      confidence: 0.85,
      ruleSetVersion: version,
      details: { currentTier: 2, suggestedTier: 3, monthlyTokens: 60_000, monthlyVoice: 120 },
      evidence: { textTokens: 60_000, voiceSeconds: 120, usageRows: 4, tier: 2, walletFound: true },
    });
  });

  it('treats an org without a wallet as tier 1', () => {
    const detection = detectUpsell(usageSummary({ tier: null, recent: { voiceSeconds: 301 } }));
    expect(detection?.details).toMatchObject({ currentTier: 1, suggestedTier: 2 });
    expect(detection?.evidence).toMatchObject({ tier: 1, walletFound: false });
  });

  it('does not look at a window without usage rows (the spec guard)', () => {
    expect(detectUpsell(usageSummary({ recent: { textTokens: 60_000, rows: 0 } }))).toBeNull();
  });

  it('reads its thresholds from the rule set it is given', () => {
    const strict: RuleSet = { ...defaultRuleSet, version: 'test.2', upsell: { ...defaultRuleSet.upsell, textTokensAbove: 100_000 } };
    expect(detectUpsell(usageSummary({ recent: { textTokens: 60_000 } }), strict)).toBeNull();
    expect(detectUpsell(usageSummary({ recent: { textTokens: 100_001 } }), strict)?.ruleSetVersion).toBe('test.2');
  });
});

describe('detectChurn (recent volume < 50 % of the previous window, strict)', () => {
  it.each([
    ['exactly 50 %', false, 50_000],
    ['just below 50 %', true, 49_999],
    ['just above 50 %', false, 50_001],
    ['no decline', false, 100_000],
  ])('%s -> fires: %s', (_label, fires, recentTokens) => {
    const usage = usageSummary({ previous: { textTokens: 100_000 }, recent: { textTokens: recentTokens } });
    expect(detectChurn(usage) !== null).toBe(fires);
  });

  it('records the spec details: volumes and the rounded decline percent', () => {
    expect(detectChurn(usageSummary({ previous: { textTokens: 100_000 }, recent: { textTokens: 49_999 } }))).toEqual({
      type: 'retention_intervention',
      source: 'usage_decline',
      confidence: 0.9,
      ruleSetVersion: version,
      details: { previousPeriod: 100_000, currentPeriod: 49_999, declinePercent: 50 },
      evidence: {
        previousTextTokens: 100_000,
        previousVoiceSeconds: 0,
        previousRows: 1,
        recentTextTokens: 49_999,
        recentVoiceSeconds: 0,
        recentRows: 1,
      },
    });
  });

  it.each([
    [75, 63], // 62.5 rounds half up, as Math.round in the spec
    [76, 62], // 62.0
    [77, 62], // 61.5 -> 62
    [79, 61], // 60.5 -> 61
  ])('declinePercent rounds (200 -> %i gives %i)', (recent, percent) => {
    const detection = detectChurn(usageSummary({ previous: { textTokens: 200 }, recent: { textTokens: recent } }));
    expect(detection?.details['declinePercent']).toBe(percent);
  });

  it('never fires when the previous window had no usage', () => {
    expect(detectChurn(usageSummary({ previous: { textTokens: 0, rows: 0 }, recent: { textTokens: 0, rows: 0 } }))).toBeNull();
  });

  it('fires at 100 % when usage stopped entirely', () => {
    const detection = detectChurn(usageSummary({ previous: { textTokens: 10_000 }, recent: { textTokens: 0, rows: 0 } }));
    expect(detection?.details).toEqual({ previousPeriod: 10_000, currentPeriod: 0, declinePercent: 100 });
  });

  it('compares volume, not row counts: fewer, larger records are no decline', () => {
    const usage = usageSummary({ previous: { textTokens: 10_000, rows: 100 }, recent: { textTokens: 10_000, rows: 2 } });
    expect(detectChurn(usage)).toBeNull();
  });

  it('weights a voice second as 167 text tokens', () => {
    // previous 300 s = 50,100; recent 25,049 tokens is just below half of it, 25,050 is exactly half.
    const previous = { voiceSeconds: 300 };
    expect(detectChurn(usageSummary({ previous, recent: { textTokens: 25_049 } }))?.details['previousPeriod']).toBe(50_100);
    expect(detectChurn(usageSummary({ previous, recent: { textTokens: 25_050 } }))).toBeNull();
  });
});

describe('detectCrossSell (text > 25,000 and no voice in either window)', () => {
  it.each([
    ['text at the threshold', false, { textTokens: 25_000 }, {}],
    ['text just above', true, { textTokens: 25_001 }, {}],
    ['recent voice use', false, { textTokens: 30_000, voiceSeconds: 1 }, {}],
    ['earlier voice use', false, { textTokens: 30_000 }, { voiceSeconds: 1 }],
  ])('%s -> fires: %s', (_label, fires, recent, previous) => {
    expect(detectCrossSell(usageSummary({ recent, previous })) !== null).toBe(fires);
  });

  it('suggests voice and keeps the numbers', () => {
    const detection = detectCrossSell(usageSummary({ recent: { textTokens: 30_000 } }));
    expect(detection).toMatchObject({
      type: 'cross_sell',
      source: 'usage_pattern',
      confidence: 0.75,
      details: { suggestedProduct: 'voice', monthlyTokens: 30_000 },
    });
  });
});

describe('detectFeatureExpansion (recent volume >= 150 % of previous, previous >= 10,000)', () => {
  it.each([
    ['growth exactly 50 %', true, 10_000, 15_000],
    ['growth just below 50 %', false, 10_000, 14_999],
    ['previous volume just below the minimum', false, 9_999, 100_000],
  ])('%s -> fires: %s', (_label, fires, previous, recent) => {
    expect(detectFeatureExpansion(usageSummary({ previous: { textTokens: previous }, recent: { textTokens: recent } })) !== null).toBe(
      fires,
    );
  });

  it('records the growth on the current tier', () => {
    const detection = detectFeatureExpansion(usageSummary({ tier: 2, previous: { textTokens: 20_000 }, recent: { textTokens: 50_100 } }));
    expect(detection).toMatchObject({
      type: 'feature_expansion',
      source: 'usage_growth',
      confidence: 0.7,
      details: { currentTier: 2, previousPeriod: 20_000, currentPeriod: 50_100, growthPercent: 151 },
    });
  });
});

describe('detectCreditOffer (balance lasts <= 14 days at the recent burn rate)', () => {
  // 30,000 tokens over 30 days at 1,000 tokens per credit: 1 credit a day.
  const burning = { textTokens: 30_000 };
  it.each([
    ['14 days left', true, 14],
    ['a little more than 14 days', false, 14.0001],
    ['a little less than 14 days', true, 13.9999],
    ['empty wallet', true, 0],
  ])('%s -> fires: %s', (_label, fires, balance) => {
    expect(detectCreditOffer(usageSummary({ balance, recent: burning })) !== null).toBe(fires);
  });

  it('counts voice at 60 seconds per credit', () => {
    const detection = detectCreditOffer(usageSummary({ balance: 7, recent: { voiceSeconds: 1_800 } }));
    expect(detection).toMatchObject({ type: 'credit_marketplace_offer', details: { balance: 7, dailyBurn: 1, runwayDays: 7 } });
  });

  it('needs a wallet and some usage', () => {
    expect(detectCreditOffer(usageSummary({ balance: null, recent: burning }))).toBeNull();
    expect(detectCreditOffer(usageSummary({ balance: 0, recent: { rows: 0 } }))).toBeNull();
  });
});

describe('detectAll', () => {
  it('runs every detector, upsell and churn first', () => {
    const usage = usageSummary({ tier: 1, balance: 1, previous: { textTokens: 300_000 }, recent: { textTokens: 60_000 } });
    expect(detectAll(usage).map((d) => d.type)).toEqual(['upsell', 'retention_intervention', 'cross_sell', 'credit_marketplace_offer']);
  });

  it('finds nothing for a quiet org', () => {
    expect(detectAll(usageSummary())).toEqual([]);
  });

  it.each([
    ['a negative count', usageSummary({ recent: { textTokens: -1 } }), 'usage.recent.textTokens'],
    ['NaN', usageSummary({ previous: { voiceSeconds: Number.NaN } }), 'usage.previous.voiceSeconds'],
    ['tier 0', usageSummary({ tier: 0 }), 'usage.tier'],
    ['no org id', { ...usageSummary(), orgId: '' }, 'usage.orgId'],
  ])('refuses %s with a typed error naming the field', (_label, usage, field) => {
    expect(() => detectAll(usage)).toThrow(InvalidCommandError);
    expect(() => detectAll(usage)).toThrow(field);
  });
});
