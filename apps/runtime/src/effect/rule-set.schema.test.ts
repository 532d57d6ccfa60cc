import { describe, expect, it } from '@jest/globals';
import { defaultObservationConfig, defaultRuleSet, holdoutRuleSet } from '#revenue';
import { parseRuleConfig, validateRuleSet } from './rule-set.schema.js';

describe('rule set schema (zod, outside the domain)', () => {
  it('accepts every shipped version as it is', () => {
    for (const ruleSet of [defaultRuleSet, holdoutRuleSet]) expect(validateRuleSet(ruleSet)).toEqual({ ruleSet });
  });

  it('refuses, naming each field: a misspelt key, a share above 0.5, a bad experiment id, a negative threshold, an empty source', () => {
    const broken = {
      ...holdoutRuleSet,
      upsell: { ...holdoutRuleSet.upsell, textTokensAbove: -1, sourse: 'x' },
      crossSell: { ...holdoutRuleSet.crossSell, source: '' },
      holdouts: { upsell: { experimentId: 'Upsell 1', share: 0.6 } },
    };
    const result = validateRuleSet(broken);
    expect('issues' in result).toBe(true);
    const issues = 'issues' in result ? result.issues.join('\n') : '';
    expect(issues).toMatch(/ruleSet\.upsell\.textTokensAbove/);
    expect(issues).toMatch(/ruleSet\.upsell: Unrecognized key.*sourse/);
    expect(issues).toMatch(/ruleSet\.crossSell\.source/);
    expect(issues).toMatch(/ruleSet\.holdouts\.upsell\.experimentId/);
    expect(issues).toMatch(/ruleSet\.holdouts\.upsell\.share/);
    expect(validateRuleSet(null)).toMatchObject({ issues: [expect.stringMatching(/^ruleSet: /)] });
  });

  it('chooses the version from RULE_SET_VERSION: holdouts for the demo, the specification with NODE_ENV=production', () => {
    expect(parseRuleConfig({})).toEqual({ config: { ruleSet: holdoutRuleSet, observation: defaultObservationConfig } });
    expect(parseRuleConfig({ NODE_ENV: 'production' })).toMatchObject({ config: { ruleSet: defaultRuleSet } });
    expect(parseRuleConfig({ NODE_ENV: 'production', RULE_SET_VERSION: holdoutRuleSet.version })).toMatchObject({
      config: { ruleSet: holdoutRuleSet },
    });
    expect(parseRuleConfig({ OBSERVATION_WINDOW_DAYS: '14' })).toMatchObject({ config: { observation: { windowDays: 14 } } });
  });

  it('refuses an unknown version (without echoing it) and a window outside 1..365 days', () => {
    const unknown = parseRuleConfig({ RULE_SET_VERSION: 'secret-looking-value' });
    expect(unknown).toEqual({
      issues: [expect.stringMatching(/^RULE_SET_VERSION: unknown version, expected one of 2025-11-21\.1, 2026-12-01\.1$/)],
    });
    for (const days of ['0', '366', 'abc', '1.5', '__proto__']) {
      expect({ days, result: parseRuleConfig({ OBSERVATION_WINDOW_DAYS: days }) }).toEqual({
        days,
        result: { issues: [expect.stringMatching(/^OBSERVATION_WINDOW_DAYS: /)] },
      });
    }
    expect(parseRuleConfig({ RULE_SET_VERSION: 'constructor' })).toMatchObject({ issues: [expect.stringMatching(/unknown version/)] });
  });
});
