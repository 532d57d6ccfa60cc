import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '#database';

/**
 * `npm start` on a laptop without JWT_SECRET: a random HS256 secret kept in .data/ (git-ignored,
 * mode 600) so the API and `npm run cli -- token` agree. Never used when NODE_ENV=production.
 */
export function devJwtSecret(): string {
  const dir = join(projectRoot(), '.data');
  const file = join(dir, 'dev-jwt-secret');
  const existing = readSecret(file);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true });
  // Written aside and linked into place: a crash never leaves an empty secret, and when the API and
  // the CLI create it at the same moment the second one reads the first one's.
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(aside);
  }
  return readSecret(file)!;
}

function readSecret(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The environment with JWT_SECRET filled in from devJwtSecret(), unless it is set or NODE_ENV is
 * production (which must configure it) or test (which has its own).
 */
export function withDevJwtSecret(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  if (env.JWT_SECRET || env.NODE_ENV === 'production' || env.NODE_ENV === 'test') return { ...env };
  return { ...env, JWT_SECRET: devJwtSecret() };
}
