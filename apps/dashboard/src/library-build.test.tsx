/// <reference types="node" />
// This test reads the build output from disk (Vitest runs in Node); the components never use Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BASE, json, problem, stubFetch, USER_TOKEN } from './test-support/fetch-stub';
import { ORG } from './test-support/fixtures';

/**
 * The ESM library as the platform's web app gets it (`revenue-engine/dashboard`, built by
 * `npm run build:dashboard`, which `npm test` runs first): the built file, not the sources.
 */
// import.meta.url is not a file: URL under jsdom; the folder is.
const root = join(import.meta.dirname, '..', '..', '..');
const built = join(root, 'dist', 'dashboard-lib', 'revenue-dashboard.js');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { import?: string } | string>;
};

describe('the library build (revenue-engine/dashboard)', () => {
  it('is what the package exports, keeps React external, and renders for a host that provides the token', async () => {
    const entry = packageJson.exports['./dashboard'];
    expect(typeof entry === 'object' && entry.import).toBe('./dist/dashboard-lib/revenue-dashboard.js');
    const code = readFileSync(built, 'utf8');
    // React comes from the host app: imported, not bundled.
    expect(code).toMatch(/from\s*["']react["']/);
    expect(code).not.toContain('react.production');

    const { RevenueDashboard } = (await import(/* @vite-ignore */ built)) as typeof import('./index');
    const calls = stubFetch(({ path }) =>
      path === '/api/revenue/summary'
        ? json({
            success: true,
            summary: {
              potentialMRR: 12.75,
              potentialMRRByType: { upsell: 12.75, cross_sell: 0, feature_expansion: 0 },
              openByType: { upsell: 1, cross_sell: 0, feature_expansion: 0, retention_intervention: 0, credit_marketplace_offer: 0 },
              actionsByStatus: { proposed: 1, approved: 0, rejected: 0, sent: 0, failed: 0, accepted: 0, declined: 0, expired: 0 },
              acceptanceRate: null,
              credits: { reserved: 0.02, charged: 0 },
            },
          })
        : path === '/api/revenue/series'
          ? json({ success: true, from: '2026-12-01', to: '2026-12-01', days: [] })
          : problem(404, 'Not Found', `no stub for ${path}`),
    );
    window.history.replaceState(null, '', `/host-app/#org=${ORG}`);
    render(<RevenueDashboard apiBaseUrl={BASE} getToken={() => USER_TOKEN} />);
    expect((await screen.findByTestId('figure-potential-mrr')).textContent).toBe('12.75');
    expect(screen.queryByTestId('token-input')).toBeNull();
    const summary = calls.find((c) => c.path === '/api/revenue/summary')!;
    expect(summary.url.origin).toBe(BASE);
    expect(summary.headers.get('Authorization')).toBe(`Bearer ${USER_TOKEN}`);
    expect(summary.headers.get('X-Org-Id')).toBe(ORG);
  });
});
