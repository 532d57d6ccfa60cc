import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '#database';

/**
 * `npm start` on a laptop without JWT_SECRET: a random HS256 secret kept in .data/ (git-ignored,
 * mode 600) so the API and `npm run cli -- token` agree. Never used when NODE_ENV=production.
 */
export function devJwtSecret(): string {
  const dir = join(projectRoot(), '.data');
  const file = join(dir, 'dev-jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
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
