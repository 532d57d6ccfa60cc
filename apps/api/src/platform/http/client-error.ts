import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problems } from '../errors/problem.js';
import { toProblem } from '../errors/to-problem.js';
import { CORRELATION_HEADER, correlationIdFrom } from './correlation-id.js';
import type { RouteTable } from './route-table.js';

/** What the HTTP parser refused, by its error code, before any framework or route saw the request. */
function parserProblem(code: string | undefined, request: RequestLine, routes: RouteTable): Error {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return problems.headersTooLarge();
    case 'HPE_INVALID_METHOD':
      // A token the parser does not know (FOO, lowercase get): as for a known one no route has.
      return routes.unrouted(request.method, request.path);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problems.requestTimeout();
    default:
      return problems.malformedRequest();
  }
}

/**
 * The server's 'clientError' handler, for both adapters (Fastify's clientErrorHandler option,
 * a listener on Express's server): Node's parser answers 400/431 with an empty text body by
 * default; this writes the problem document on the socket instead, then closes it (the parser
 * cannot continue on that connection).
 */
export const clientErrorHandler =
  (routes: RouteTable) =>
  (error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const correlationId = correlationIdFrom(undefined);
      const request = requestLine(error.rawPacket);
      const { status, body, headers } = toProblem(parserProblem(error.code, request, routes), { instance: request.path, correlationId });
      const text = JSON.stringify(body);
      const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${extra.join('')}` +
          `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
          `${CORRELATION_HEADER}: ${correlationId}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${text}`,
      );
    }
    socket.destroy();
  };

const PLAIN_PATH = /^\/[\x21-\x7e]{0,256}$/;
const PLAIN_METHOD = /^[\x21-\x7e]{1,24}$/;

interface RequestLine {
  readonly method: string;
  readonly path: string;
}

/** Method and path of the refused request when they are short plain tokens (never the query), else placeholders. */
function requestLine(raw: unknown): RequestLine {
  const packet = Buffer.isBuffer(raw) ? raw : undefined;
  const [method = '', target = ''] = packet?.subarray(0, 300).toString('latin1').split('\r\n')[0]?.split(' ') ?? [];
  const path = target.split('?')[0] ?? '';
  return { method: PLAIN_METHOD.test(method) ? method : 'METHOD', path: PLAIN_PATH.test(path) ? path : '/' };
}
