/// <reference lib="dom" />
import 'reflect-metadata';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { projectRoot } from '#database';
import { holdoutRuleSet, OPPORTUNITY_TYPES } from '#revenue';
import { observeOutcomes, seedDemoHistory, type Runtime } from '#runtime';
import { call } from '../api-platform/harness.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { serviceToken } from '../support/tokens.js';
import { chromiumUnavailable, openBrowser, seriousViolations, type Browser } from './support/browser.js';
import { caughtUpWithCommitted } from '../support/revenue-stack.js';

/**
 * The Effect view end to end: the built page, served by the real app over a runtime holding the
 * demo's backdated experiment (seeded and observed through the real path), in headless Chromium.
 * Every lift the page shows is compared with GET /api/analytics/effect.
 *
 * 6,000 history orgs, the demo's own size: about 120 held out per play, so every play clears the
 * 100-per-arm minimum and shows a lift (the case the view exists for); seeding takes ~8 s. The
 * "not enough data" branch is checked per section anyway, from what the API says.
 */
const HISTORY_ORGS = 6_000;
const SCOPES = 'maos:read analytics:read';
const built = join(projectRoot(), 'dist', 'dashboard', 'index.html');
const unavailable = await chromiumUnavailable();
const screenshots = process.env.DASHBOARD_SCREENSHOTS;

interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}
interface PlayEffect {
  readonly play: string;
  readonly enoughData: boolean;
  readonly notEnoughDataReason: string | null;
  readonly lift: Interval | null;
  readonly creditsSpent: number;
}
interface EffectReport {
  readonly plays: readonly PlayEffect[];
  readonly overall: PlayEffect;
}

// The dashboard's written format (apps/dashboard/README.md), restated so the test checks it rather than reuses it.
const signed = (value: number): string => {
  const magnitude = Math.abs(value).toFixed(1);
  return Number(magnitude) === 0 ? magnitude : `${value < 0 ? '-' : '+'}${magnitude}`;
};
const points = (value: number) => `${signed(value * 100)} pp`;
const pointsInterval = ({ low, high }: Interval) => `[${signed(low * 100)}, ${signed(high * 100)}] pp`;
const credits = (n: number) => n.toFixed(4).replace(/0{1,2}$/, '');

const projected = (runtime: Runtime) => caughtUpWithCommitted(runtime);

(unavailable ? describe.skip : describe)(
  unavailable ? `Effect view in Chromium (skipped: ${unavailable})` : 'Effect view in Chromium (demo history, real service)',
  () => {
    let full: FullApi;
    let browser: Browser;
    let token: string;
    let report: EffectReport;

    beforeAll(async () => {
      if (!existsSync(built)) throw new Error(`${built} is missing: npm test builds it (npm run build:dashboard)`);
      full = await startFullApi({
        before: async (runtime, clock) => {
          const deps = { ...runtime.deps, ruleSet: holdoutRuleSet };
          await seedDemoHistory(deps, clock.now(), { orgs: HISTORY_ORGS });
          await projected(runtime);
          const observed = await observeOutcomes(deps, {
            meta: { actor: { kind: 'system', id: 'effect-browser-test' }, correlationId: 'c' },
          });
          expect(observed.errors).toEqual([]);
          await projected(runtime);
        },
      });
      token = await serviceToken(SCOPES, { sub: 'analyst-ada', expiresIn: 3600 });
      const reply = await call(full.api, '/api/analytics/effect', { token });
      expect(reply.status).toBe(200);
      report = reply.body as unknown as EffectReport;
      browser = await openBrowser();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await full?.close();
    });

    const sections = () => [...report.plays, report.overall];

    async function signIn(hash: string, viewport?: { width: number; height: number }): Promise<Page> {
      const page = await browser.newPage(viewport);
      await page.goto(`${full.api.baseUrl}/dashboard/${hash}`);
      await page.getByTestId('token-input').fill(token);
      await page.getByTestId('sign-in').click();
      return page;
    }

    async function shownSections(page: Page): Promise<void> {
      await page.getByTestId('effect-method').waitFor();
      const plays = page.getByTestId('effect-play');
      await plays.nth(sections().length - 1).waitFor();
      expect(await plays.evaluateAll((els) => els.map((el) => el.getAttribute('data-play')))).toEqual(sections().map((p) => p.play));
    }

    const noSeriousViolations = async (page: Page, view: string) => {
      expect({ view, violations: await seriousViolations(page) }).toEqual({ view, violations: [] });
    };

    it('the seeded history gives every play a result (the size was picked for it)', () => {
      expect(report.plays.map((p) => p.play)).toEqual([...OPPORTUNITY_TYPES]);
      expect(sections().map((p) => [p.play, p.enoughData])).toEqual(sections().map((p) => [p.play, true]));
    });

    it('the deep link opens the report: one section per play and overall, each with the lift and interval the API gives', async () => {
      const page = await signIn('#view=effect');
      await shownSections(page);
      for (const play of sections()) {
        const section = page.locator(`[data-testid="effect-play"][data-play="${play.play}"]`);
        const text = async (id: string) => (await section.getByTestId(id).textContent())?.trim();
        const shown = {
          play: play.play,
          lift: play.lift ? await text('effect-lift') : null,
          interval: play.lift ? await text('effect-interval') : null,
          notEnoughData: play.enoughData ? null : await text('effect-not-enough-data'),
          notEnoughDataCount: await section.getByTestId('effect-not-enough-data').count(),
          credits: await text('effect-credits'),
        };
        expect(shown).toEqual({
          play: play.play,
          lift: play.lift ? points(play.lift.estimate) : null,
          interval: play.lift ? pointsInterval(play.lift) : null,
          notEnoughData: play.enoughData ? null : play.notEnoughDataReason,
          notEnoughDataCount: play.enoughData ? 0 : 1,
          credits: credits(play.creditsSpent),
        });
      }
      const method = (await page.getByTestId('effect-method').textContent()) ?? '';
      expect(method).toContain('Newcombe');
      expect(method.toLowerCase()).toContain('fixed horizon');
      // The chart's canvas is named, and the name carries each interval for those who cannot see it.
      const chart = page.locator('canvas[role="img"]');
      expect(await chart.count()).toBe(1);
      const name = (await chart.getAttribute('aria-label')) ?? '';
      expect(name).toContain('Lift in conversion rate by play');
      for (const play of sections().filter((p) => p.lift))
        expect([play.play, name]).toEqual([play.play, expect.stringContaining(pointsInterval(play.lift!))]);
      await noSeriousViolations(page, 'effect');
      if (screenshots) {
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, 'dashboard-effect.png'), fullPage: true });
      }
      await page.close();
    });

    it('the nav button opens it on a phone-sized screen, without sideways scrolling', async () => {
      const page = await signIn('', { width: 390, height: 844 });
      await page.getByTestId('nav-effect').click();
      await shownSections(page);
      expect(page.url()).toContain('view=effect');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await noSeriousViolations(page, 'effect on a phone');
      await page.close();
    });

    it('left no console error, page error or CSP violation behind', () => {
      expect(browser.problems).toEqual([]);
    });
  },
);
