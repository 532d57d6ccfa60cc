/// <reference lib="dom" />
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (browsers cannot be downloaded on these machines); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the browser tests cannot run here, or null when Chromium is there and starts. */
export async function chromiumUnavailable(): Promise<string | null> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    return `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package; .ci/run does as root)`;
  }
  try {
    const probe = await openBrowser();
    await probe.close();
    return null;
  } catch (error) {
    return `Chromium at ${CHROMIUM_PATH} did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

export interface Browser {
  readonly context: BrowserContext;
  /** Console errors and warnings and page errors, each with the URL it is about. */
  readonly problems: Array<{ readonly text: string; readonly url: string }>;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (removed on close), recording every console error. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'revenue-dashboard-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const problems: Array<{ text: string; url: string }> = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push({ text: `console ${message.type()}: ${message.text()}`, url: message.location().url });
    });
    page.on('pageerror', (error) => problems.push({ text: `page error: ${error.message}`, url: page.url() }));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = (): string => readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * axe-core over the page as it is now: the serious and critical violations (WCAG 2.x A/AA and
 * best-practice rules). Evaluated through the DevTools protocol, so the page's CSP, which
 * refuses inline scripts, stays in force for the page itself.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations as Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}
