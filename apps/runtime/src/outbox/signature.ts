import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in the style of Stripe's: header
 * `Revenue-Engine-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is signed with the body, so a receiver that refuses old timestamps refuses
 * replays; docs/WEBHOOKS.md shows a receiver's check.
 */
export const SIGNATURE_HEADER = 'revenue-engine-signature';

/** Five minutes, as Stripe's libraries default to. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export function signPayload(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`;
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A receiver's check: a well-formed header, a timestamp within the tolerance of `now`, and a
 * `v1` that matches the raw body (compared in constant time). Several `v1` entries are allowed
 * (a secret being rotated); one match suffices.
 */
export function verifySignature(input: {
  readonly secret: string;
  readonly header: string | undefined;
  readonly body: string;
  readonly nowSeconds: number;
  readonly toleranceSeconds?: number;
}): SignatureCheck {
  const parts = (input.header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v !== undefined).map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed signature header' };
  const timestamp = Number(t);
  if (Math.abs(input.nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS))
    return { ok: false, reason: 'timestamp outside the tolerance (a replay, or a clock far off)' };
  const expected = Buffer.from(hmac(input.secret, timestamp, input.body), 'hex');
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match the body' };
}

function hmac(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}
