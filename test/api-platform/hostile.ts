import { expect } from '@jest/globals';
import fc from 'fast-check';
import { rawCall, type RawReply, type RunningApi } from './harness.js';

/**
 * Generators for what a hostile client sends below the JSON level: text the event store cannot
 * keep, nesting within the body limit, huge and malformed path parameters, odd percent-encodings,
 * methods no route has (or the parser does not know), oversized headers and every content type.
 * Sent with rawCall (a socket), since fetch and node:http refuse most of them.
 */
const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Strings with NUL characters or unpaired UTF-16 surrogates somewhere. */
export const unstorableText = fc
  .tuple(printable(10), fc.constantFrom('\u0000', '\ud800', '\udfff', '\udc00x\ud83d', '\ud83d\ud83d'), printable(10))
  .map((parts) => parts.join(''));

/** Nested arrays or objects deeper than any DTO allows, kept under `maxBytes`. */
export const deepJson = (maxBytes: number) =>
  fc.oneof(
    fc.integer({ min: 33, max: Math.floor(maxBytes / 2) - 20 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
    fc.integer({ min: 33, max: Math.floor(maxBytes / 7) - 20 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
    fc.integer({ min: 33, max: Math.floor(maxBytes / 12) - 20 }).map((d) => `{"reason":${'[{"x":'.repeat(d)}0${'}]'.repeat(d)}}`),
  );

/** JSON bodies carrying unstorable text as a value or as a member name, escaped as JSON does. */
export const unstorableJson = fc.oneof(
  unstorableText.map((text) => JSON.stringify({ reason: text, name: text, result: 'failed', outcome: 'accepted' })),
  unstorableText.map((text) => JSON.stringify({ [text]: 1 })),
  unstorableText.map((text) => JSON.stringify([text])),
);

export const hostileBody = (maxBytes: number) =>
  fc.oneof(
    unstorableJson,
    deepJson(maxBytes),
    fc.constantFrom('{"__proto__":{"x":1}}', '{"a":{"constructor":{"prototype":{}}}}', '{"reason":"\\u005f_proto__"}', 'reason=x', ''),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    printable(200),
  );

/** Path parameters: huge, malformed or oddly percent-encoded (every one is sent raw). */
export const hostileParam = fc.oneof(
  fc.integer({ min: 100, max: 5_000 }).map((n) => 'a'.repeat(n)),
  fc.constantFrom(
    '%C0%AF',
    '%E0%A4%A',
    '%',
    '%%',
    '%zz',
    '%00',
    '%2e%2e',
    '..',
    '%2F',
    '%F0%9F%98',
    '%ED%A0%80',
    '%FF',
    '%u0041',
    '%25',
    '%20',
    '+',
  ),
  fc
    .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 })
    .map((bytes) => bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid(),
);

export const hostileMethod = fc.constantFrom(
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'FOO',
  'PROPFIND',
  'PURGE',
  'TRACE',
  'M-SEARCH',
  'LINK',
  'get',
);

export const hostileContentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/problem+json',
    'application/merge-patch+json',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'application/xml',
    '*/*',
    'application/json; charset=latin1',
    ';;;',
  ),
  { nil: undefined },
);

/** Nothing, a large header under the limit, or one over Node's 16 KiB limit for the whole head. */
export const hostileHeaders = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc.integer({ min: 1_000, max: 8_000 }).map((n) => ({ 'x-padding': 'p'.repeat(n) })),
  fc.integer({ min: 17_000, max: 24_000 }).map((n) => ({ 'x-padding': 'p'.repeat(n) })),
  fc.constant({ 'content-length': 'abc' }),
);

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** 2xx, or a problem document with a 4xx status (never 5xx, never the framework's own shape). */
export function expectProblemUnlessOk(reply: RawReply, context: unknown): void {
  const ok = reply.status >= 200 && reply.status < 300;
  const problem = reply.contentType.split(';')[0] === 'application/problem+json';
  expect({ context, status: reply.status < 500, problemOrOk: ok || problem }).toEqual({ context, status: true, problemOrOk: true });
  if (!ok && reply.text !== '') expect(reply.body).toMatchObject({ status: reply.status, type: expect.stringMatching(/^\/problems\//) });
}

/**
 * Sends one hostile request and checks the answer; with `head`, also that a refused request left
 * the event log's head where it was.
 */
export async function sendHostile(api: RunningApi, request: HostileRequest, head?: () => Promise<unknown>): Promise<RawReply> {
  const before = head ? await head() : undefined;
  const reply = await rawCall(api, request);
  const context = { method: request.method, path: request.path.slice(0, 120), status: reply.status, type: reply.body.type };
  expectProblemUnlessOk(reply, context);
  if (head && reply.status >= 400) expect({ context, head: await head() }).toEqual({ context, head: before });
  return reply;
}
