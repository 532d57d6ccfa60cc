import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'X-Correlation-Id';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's id when it is a plain token (so traces join across services), a new UUID
 * otherwise: anything else would be echoed into a header and every log line.
 */
export function correlationIdFrom(header: string | undefined): string {
  return header !== undefined && ACCEPTABLE.test(header) ? header : randomUUID();
}
