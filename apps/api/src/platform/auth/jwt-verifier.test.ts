import { describe, expect, it } from '@jest/globals';
import { SignJWT, UnsecuredJWT } from 'jose';
import { ProblemException } from '../errors/problem.js';
import { createJwtVerifier } from './jwt-verifier.js';

const secret = 's'.repeat(40);
const verify = createJwtVerifier({ secret, audience: 'authenticated', issuer: 'https://project.supabase.co/auth/v1' });
const USER = '6f1c7c55-8a6c-4b43-9d0e-0a4b0f6a8c11';

async function sign(
  claims: Record<string, unknown>,
  opts: { key?: string; aud?: string; iss?: string; exp?: number | null; alg?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setAudience(opts.aud ?? 'authenticated')
    .setIssuer(opts.iss ?? 'https://project.supabase.co/auth/v1');
  if (opts.exp !== null) jwt.setExpirationTime(now + (opts.exp ?? 300));
  return jwt.sign(new TextEncoder().encode(opts.key ?? secret));
}

async function rejection(token: string): Promise<string> {
  const error = await verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProblemException)) throw new Error(`expected a problem, got ${String(error)}`);
  expect(error.problemStatus).toBe(401);
  return error.detail;
}

describe('createJwtVerifier', () => {
  it('accepts a user token and a scoped service token', async () => {
    expect(await verify(await sign({ sub: USER.toUpperCase(), role: 'authenticated' }))).toMatchObject({
      kind: 'user',
      id: USER,
      claims: { sub: USER },
    });
    const service = await verify(await sign({ sub: 'maos', role: 'service_role', scope: 'maos:approve  maos:read' }));
    expect(service).toMatchObject({ kind: 'service', id: 'maos' });
    expect(service.kind === 'service' && [...service.scopes]).toEqual(['maos:approve', 'maos:read']);
  });

  it('refuses expired, forged, foreign-audience, foreign-issuer and exp-less tokens with distinct reasons', async () => {
    const claims = { sub: USER, role: 'authenticated' };
    expect(await rejection(await sign(claims, { exp: -10 }))).toMatch(/expired/);
    expect(await rejection(await sign(claims, { key: 'x'.repeat(40) }))).toMatch(/signature/);
    expect(await rejection(await sign(claims, { aud: 'anon' }))).toMatch(/aud/);
    expect(await rejection(await sign(claims, { iss: 'https://evil.example' }))).toMatch(/iss/);
    expect(await rejection(await sign(claims, { exp: null }))).toMatch(/exp/);
  });

  it('refuses other algorithms, unsigned tokens and garbage', async () => {
    expect(await rejection(await sign({ sub: USER, role: 'authenticated' }, { alg: 'HS512', key: secret }))).toMatch(/HS256/);
    const unsecured = new UnsecuredJWT({ sub: USER, role: 'authenticated' }).setAudience('authenticated').setExpirationTime('5m').encode();
    expect(await rejection(unsecured)).toBeTruthy();
    expect(await rejection('not.a.jwt')).toMatch(/malformed/);
  });

  it('refuses tokens that speak for nobody usable', async () => {
    expect(await rejection(await sign({ sub: 'not-a-uuid', role: 'authenticated' }))).toMatch(/not a user id/);
    expect(await rejection(await sign({ sub: 'maos', role: 'service_role' }))).toMatch(/scope/);
    expect(await rejection(await sign({ sub: USER, role: 'anon' }))).toMatch(/"anon"/);
    expect(await rejection(await sign({ role: 'authenticated' }))).toMatch(/sub/);
  });

  it('ignores a scope claim on a user token (users never gain service scopes)', async () => {
    const principal = await verify(await sign({ sub: USER, role: 'authenticated', scope: 'maos:approve' }));
    expect(principal.kind).toBe('user');
    expect('scopes' in principal).toBe(false);
  });
});
