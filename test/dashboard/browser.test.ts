/// <reference lib="dom" />
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { projectRoot } from '#database';
import { SCHEDULER_EVENT_TYPES } from '#read-models';
import { decide, defaultRuleSet, type Detection } from '#revenue';
import { executeOnOrg } from '#revenue-commands';
import { DEMO_OWNER_ID, seedDemoData, startScheduler } from '#runtime';
import { call, type Reply } from '../api-platform/harness.js';
import { startFullApi, type FullApi } from '../support/full-api.js';
import { AS_OF } from '../support/revenue-stack.js';
import { serviceToken, userToken } from '../support/tokens.js';
import { chromiumUnavailable, openBrowser, seriousViolations, type Browser } from './support/browser.js';

/**
 * The dashboard end to end: the page as `npm run build:dashboard` built it (npm test builds it
 * first), served by the real app over a real runtime with demo data and a scheduler run, driven
 * in Debian's headless Chromium. Every figure the page shows is compared with the API's answer.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HISTORY_ROUNDS = 30; // Demo org 1 gets 30 closed credit offers: more opportunities than one page (25)
const OPERATOR_SCOPES = 'maos:read maos:approve audit:read ops:read';
const built = join(projectRoot(), 'dist', 'dashboard', 'index.html');
const unavailable = await chromiumUnavailable();
const quiet = { info: () => undefined, warn: () => undefined, error: (fields: object, message: string) => console.error(message, fields) };
const screenshots = process.env.DASHBOARD_SCREENSHOTS;

async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const offer = (day: number): Detection => ({
  type: 'credit_marketplace_offer',
  source: 'wallet_forecast',
  confidence: 0.6,
  details: { day },
  evidence: { day },
  ruleSetVersion: defaultRuleSet.version,
});

(unavailable ? describe.skip : describe)(
  unavailable ? `dashboard in Chromium (skipped: ${unavailable})` : 'dashboard in Chromium (demo data, real service)',
  () => {
    let full: FullApi;
    let browser: Browser;
    let base: string;
    let org1: string;
    let owner: string;
    let operator: string;
    let conflicted = '';
    const api = (path: string, token: string, orgId?: string): Promise<Reply> =>
      call(full.api, path, { token, ...(orgId ? { orgId } : {}) });

    beforeAll(async () => {
      if (!existsSync(built)) throw new Error(`${built} is missing: npm test builds it (npm run build:dashboard)`);
      full = await startFullApi({
        before: async (runtime, clock) => {
          const demo = await seedDemoData(runtime.pool, 25, clock.now(), { firstNumber: 1 });
          org1 = demo.orgIds[0]!;
          // A month of history in Demo org 1: a credit offer opened and closed each day.
          const meta = () => ({ actor: { kind: 'system' as const, id: 'test-history' }, correlationId: randomUUID() });
          for (let i = 0; i < HISTORY_ROUNDS; i++) {
            clock.current = new Date(AS_OF.getTime() - (HISTORY_ROUNDS - i) * DAY);
            const detections = [offer(i)];
            await executeOnOrg(runtime.deps, org1, 'RecordDetections', meta(), (state, ctx) =>
              decide({ kind: 'RecordDetections', orgId: org1, detections }, state, ctx),
            );
            clock.current = new Date(clock.current.getTime() + HOUR);
            await executeOnOrg(runtime.deps, org1, 'RecordDetections', meta(), (state, ctx) =>
              decide({ kind: 'RecordDetections', orgId: org1, detections: [], evaluatedTypes: ['credit_marketplace_offer'] }, state, ctx),
            );
          }
          clock.current = AS_OF;
          // The scheduler's first run sweeps the fleet and proposes actions, as on `npm start`.
          const scheduler = startScheduler({
            deps: runtime.deps,
            intervalMs: HOUR,
            proposalMaxAgeMs: 72 * HOUR,
            tickMs: 5,
            leaderRetryMs: 20,
            logger: quiet,
            instanceId: 'browser-test',
          });
          try {
            await until(
              async () => (await runtime.store.readAll({ eventTypes: [SCHEDULER_EVENT_TYPES.runFinished] })).length === 1,
              'the first run',
            );
          } finally {
            await scheduler.stop();
          }
          const head = await runtime.store.headPosition();
          if (head) expect(await runtime.runner.waitForAll(head, 30_000)).toBe(true);
        },
      });
      base = full.api.baseUrl;
      owner = await userToken(DEMO_OWNER_ID, { expiresIn: 3600 });
      operator = await serviceToken(OPERATOR_SCOPES, { sub: 'operator-ada', expiresIn: 3600 });
      browser = await openBrowser();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await full?.close();
    });

    async function signIn(token: string, hash = '', viewport?: { width: number; height: number }): Promise<Page> {
      const page = await browser.newPage(viewport);
      await page.goto(`${base}/dashboard/${hash}`);
      await page.getByTestId('token-input').fill(token);
      await page.getByTestId('sign-in').click();
      return page;
    }

    async function openOrg1(page: Page): Promise<void> {
      await page.getByTestId('org-search').fill('Demo org 1');
      await page.locator(`[data-testid="org-option"][data-org-id="${org1}"]`).click();
      await expect(page.getByTestId('current-org').textContent()).resolves.toBe('Demo org 1');
    }

    const money = (n: number) => n.toFixed(2);
    const credits = (n: number) => n.toFixed(4).replace(/0{1,2}$/, '');
    const noSeriousViolations = async (page: Page, view: string) => {
      expect({ view, violations: await seriousViolations(page) }).toEqual({ view, violations: [] });
    };

    it('an owner signs in, picks an org and sees the headline figures the API gives', async () => {
      const page = await signIn(owner);
      await openOrg1(page);
      await page.getByTestId('figure-potential-mrr').waitFor();
      const { summary } = (await api('/api/revenue/summary', owner, org1)).body as {
        summary: {
          potentialMRR: number;
          openByType: Record<string, number>;
          actionsByStatus: Record<string, number>;
          acceptanceRate: number | null;
          credits: { reserved: number; charged: number };
        };
      };
      expect(summary.potentialMRR).toBeGreaterThan(0);
      const shown = async (id: string) => (await page.getByTestId(id).textContent())?.trim();
      expect(await shown('figure-potential-mrr')).toBe(money(summary.potentialMRR));
      for (const [type, count] of Object.entries(summary.openByType))
        expect([type, await shown(`figure-open-${type}`)]).toEqual([type, String(count)]);
      for (const [status, count] of Object.entries(summary.actionsByStatus))
        expect([status, await shown(`figure-actions-${status}`)]).toEqual([status, String(count)]);
      expect(await shown('figure-credits-reserved')).toBe(credits(summary.credits.reserved));
      expect(await shown('figure-credits-charged')).toBe(credits(summary.credits.charged));
      expect(await shown('figure-acceptance-rate')).toBe(
        summary.acceptanceRate === null ? '—' : `${(summary.acceptanceRate * 100).toFixed(1)}%`,
      );
      // The charts drew (canvas with an accessible name), and the deep link reopens the org.
      expect(await page.locator('canvas[role="img"]').count()).toBeGreaterThanOrEqual(3);
      expect(page.url()).toContain(`org=${org1}`);
      await noSeriousViolations(page, 'overview');
      if (screenshots) {
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, 'dashboard-desktop.png'), fullPage: true });
      }
      await page.close();
    });

    it('the opportunities table filters, sorts and pages through the API cursors', async () => {
      const page = await signIn(owner, `#org=${org1}&view=opportunities`);
      const rows = page.getByTestId('opportunity-row');
      await rows.first().waitFor();
      const all = (await api('/api/revenue/opportunities?limit=200', owner, org1)).body.opportunities as Array<{
        id: string;
        type: string;
      }>;
      expect(all.length).toBeGreaterThan(25);
      const ids = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
      expect(await ids()).toEqual(all.slice(0, 25).map((o) => o.id));
      await page.getByTestId('page-next').click();
      await until(async () => (await ids())[0] === all[25]!.id, 'the second page');
      expect(await ids()).toEqual(all.slice(25).map((o) => o.id));
      await page.getByTestId('page-prev').click();
      await until(async () => (await ids())[0] === all[0]!.id, 'the first page again');

      await page.getByTestId('filter-type').selectOption('upsell');
      await until(async () => (await ids()).length === all.filter((o) => o.type === 'upsell').length, 'the upsell filter');
      expect(await rows.first().locator('th').textContent()).toBe('upsell');
      await page.getByTestId('filter-type').selectOption('');
      await page.getByTestId('filter-status').selectOption('expired');
      await page.getByTestId('sort').selectOption('newest');
      const newest = (await api('/api/revenue/opportunities?status=expired&sort=newest&limit=25', owner, org1)).body
        .opportunities as Array<{
        id: string;
      }>;
      await until(async () => JSON.stringify(await ids()) === JSON.stringify(newest.map((o) => o.id)), 'expired, newest first');
      await noSeriousViolations(page, 'opportunities');
      await page.close();
    });

    it("an opportunity's detail shows its actions and timeline, and its state as of an entry", async () => {
      const page = await signIn(owner, `#org=${org1}&view=opportunities`);
      await page.getByTestId('filter-type').selectOption('upsell');
      const row = page.getByTestId('opportunity-row').first();
      await row.waitFor();
      const opportunityId = (await row.getAttribute('data-id'))!;
      await row.locator('button').click();
      const detail = page.getByTestId('opportunity-detail');
      await detail.waitFor();
      const { actions } = (await api(`/api/revenue/actions/${opportunityId}`, owner, org1)).body as { actions: unknown[] };
      const { events } = (await api(`/api/revenue/audit/opportunities/${opportunityId}/events`, owner, org1)).body as {
        events: Array<{ revision: string; actor: { kind: string; id: string } }>;
      };
      expect(actions.length).toBeGreaterThan(0);
      await until(async () => (await detail.getByTestId('timeline-entry').count()) === events.length, 'the timeline');
      expect(await detail.getByTestId('action-row').count()).toBe(actions.length);
      expect(await detail.getByTestId('timeline-entry').first().textContent()).toContain('system:scheduler');
      await detail.getByTestId('timeline-entry').first().locator('button').click();
      const state = page.getByTestId('state-as-of');
      await state.getByText(`revision ${events[0]!.revision}`).waitFor();
      await state.getByText('open').first().waitFor();
      await noSeriousViolations(page, 'opportunity detail');
      await page.close();
    });

    it('a MAOS operator approves and rejects in the queue; the page follows without a reload, and explains a conflict', async () => {
      const page = await signIn(operator);
      // A reload would lose this marker (the page keeps its place in the hash with replaceState, no navigation).
      await page.evaluate(() => Object.assign(window, { notReloaded: true }));
      await page.getByTestId('nav-approvals').click();
      const rows = page.getByTestId('approval-row');
      await rows.first().waitFor();
      const queue = (await call(full.api, '/api/maos/approvals?limit=20', { token: operator })).body.items as Array<{
        actionId: string;
        orgId: string;
        opportunityId: string;
        revision: string;
      }>;
      // Three actions of three different orgs: each decision changes only its own org's revision.
      const [first, second, third] = queue.filter((item, i) => queue.findIndex((other) => other.orgId === item.orgId) === i);
      const rowOf = (id: string) => page.locator(`[data-testid="approval-row"][data-action-id="${id}"]`);
      const statusOf = async (item: { opportunityId: string; orgId: string; actionId: string }) => {
        const { actions } = (await api(`/api/revenue/actions/${item.opportunityId}`, operator, item.orgId)).body as {
          actions: Array<{ id: string; status: string; reason: string | null }>;
        };
        return actions.find((a) => a.id === item.actionId);
      };

      await rowOf(first!.actionId).getByTestId('approve').click();
      await rowOf(first!.actionId).waitFor({ state: 'detached' });
      expect(await statusOf(first!)).toMatchObject({ status: 'approved' });

      await rowOf(second!.actionId).getByTestId('reject').click();
      await expect(rowOf(second!.actionId).getByTestId('row-message').textContent()).resolves.toContain('reason');
      await rowOf(second!.actionId).getByTestId('reject-reason').fill('Not this quarter');
      await rowOf(second!.actionId).getByTestId('reject').click();
      await rowOf(second!.actionId).waitFor({ state: 'detached' });
      expect(await statusOf(second!)).toMatchObject({ status: 'rejected', reason: 'Not this quarter' });

      // Someone else decides the third one first: the page's If-Match is stale.
      conflicted = third!.actionId;
      const elsewhere = await call(full.api, `/api/maos/actions/${third!.actionId}/reject`, {
        token: operator,
        headers: { 'idempotency-key': randomUUID() },
        body: { reason: 'decided elsewhere' },
      });
      expect(elsewhere.status).toBe(200);
      await rowOf(third!.actionId).getByTestId('approve').click();
      const message = rowOf(third!.actionId).getByTestId('row-message');
      await message.waitFor();
      expect(await message.textContent()).toContain('refreshed');
      expect(await rowOf(third!.actionId).getAttribute('class')).toContain('rd-gone');
      expect(await statusOf(third!)).toMatchObject({ status: 'rejected' });

      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await noSeriousViolations(page, 'approvals');
      // The audit names the operator as the actor of the approval.
      const { events } = (await api(`/api/revenue/audit/opportunities/${first!.opportunityId}/events`, operator, first!.orgId)).body as {
        events: Array<{ type: string; actor: { kind: string; id: string } }>;
      };
      expect(events.find((e) => e.type === 'revenue.action-approved.v1')?.actor).toEqual({ kind: 'service', id: 'operator-ada' });
      await page.close();
    });

    it('an operator sees scheduler runs, projections, parked events and the outbox', async () => {
      const page = await signIn(operator);
      await page.getByTestId('nav-operations').click();
      const projections = page.getByTestId('ops-projections');
      await projections.getByText('revenue-read-model').waitFor();
      const { items } = (await call(full.api, '/api/ops/projections', { token: operator })).body as { items: Array<{ name: string }> };
      for (const { name } of items) await projections.getByText(name, { exact: true }).waitFor();
      await page.getByText('browser-test').first().waitFor(); // the scheduler run's instance
      await noSeriousViolations(page, 'operations');
      await page.close();
    });

    it('fits a phone-sized screen without sideways scrolling', async () => {
      const page = await signIn(owner, '', { width: 390, height: 844 });
      await openOrg1(page);
      await page.getByTestId('figure-potential-mrr').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await noSeriousViolations(page, 'overview on a phone');
      if (screenshots) await page.screenshot({ path: join(screenshots, 'dashboard-phone.png'), fullPage: true });
      await page.close();
    });

    it('a user who may read no org is told so', async () => {
      const page = await signIn(await userToken(randomUUID(), { expiresIn: 3600 }));
      await page.getByRole('alert').getByText('no organization').waitFor();
      await page.close();
    });

    it('left no console error, page error or CSP violation behind (but the conflict it provoked)', () => {
      // Chromium itself logs a fetch answered 4xx; the one 412/409 of the provoked conflict is expected.
      const provoked = (p: { text: string; url: string }) =>
        /Failed to load resource: the server responded with a status of 4(09|12)/.test(p.text) && p.url.endsWith(`/${conflicted}/approve`);
      expect(browser.problems.filter((p) => !provoked(p))).toEqual([]);
      expect(browser.problems.filter(provoked).length).toBeLessThanOrEqual(1);
    });
  },
);
