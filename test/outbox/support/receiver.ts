import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver does with one request. */
export type Behaviour =
  | 'ok'
  /** 500 Internal Server Error. */
  | 'error'
  /** Destroys the socket before answering (connection reset). */
  | 'drop'
  /** Never answers (the sender's timeout fires). */
  | 'hang'
  /** Answers 200 after `SLOW_MS`, within the sender's timeout. */
  | 'slow';

export const SLOW_MS = 200;

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * A real HTTP server standing in for a channel's receiver: each request is kept, and answered
 * as `script(request, n)` says (n: how many requests with that idempotency key it has seen, from 1).
 */
export async function startReceiver(script: (request: ReceivedRequest, n: number) => Behaviour): Promise<{
  readonly url: string;
  readonly requests: ReceivedRequest[];
  readonly arrived: (predicate: (r: ReceivedRequest) => boolean) => Promise<ReceivedRequest>;
  close(): Promise<void>;
}> {
  const requests: ReceivedRequest[] = [];
  const seen = new Map<string, number>();
  const waiters: Array<{ predicate: (r: ReceivedRequest) => boolean; resolve: (r: ReceivedRequest) => void }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const key = String(req.headers['idempotency-key'] ?? '');
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      for (const w of waiters.filter((w) => w.predicate(request))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(request);
      }
      switch (script(request, n)) {
        case 'ok':
          return res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        case 'error':
          return res.writeHead(500).end('boom');
        case 'drop':
          return req.socket.destroy();
        case 'hang':
          return;
        case 'slow':
          setTimeout(() => res.writeHead(200).end('{"received":true}'), SLOW_MS);
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    arrived: (predicate) =>
      new Promise((resolve) => {
        const found = requests.find(predicate);
        if (found) resolve(found);
        else waiters.push({ predicate, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
