import type { AbstractHttpAdapter } from '@nestjs/core';
import type { StoredResponse } from './idempotency/idempotency.store.js';

/** Puts a (possibly replayed) response's status and headers on the reply; Nest sends the body. */
export function sendStored(adapter: AbstractHttpAdapter, reply: unknown, response: StoredResponse): Readonly<Record<string, unknown>> {
  adapter.status(reply, response.status);
  for (const [name, value] of Object.entries(response.headers)) adapter.setHeader(reply, name, value);
  return response.body;
}
