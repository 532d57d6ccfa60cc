import './ts-resolve.cjs';
import { dropDatabase, type PostgresServer } from '#database';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__RE_TEST_SERVER__ as PostgresServer | undefined;
  const template = process.env.RE_TEST_TEMPLATE;
  if (server && template) await dropDatabase(server.url, template);
  await server?.stop();
}
