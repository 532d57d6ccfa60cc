/**
 * A separate process for the embedded PostgreSQL tests, run as
 *   node --conditions=source --import tsx embedded-child.ts <mode> <module> [options JSON]
 * <module>: '#database' or a file URL of a copy of libs/database/src/postgres-server.ts.
 *
 * - `listeners`: prints the process listener counts before and after importing <module>, then
 *   sets process.exitCode = 3 and returns (the exit code must stay 3).
 * - `start`: acquirePostgres(undefined, options), prints the server as one JSON line, then
 *   waits; "stop" on stdin (or stdin closing) stops it, prints {"stopped":true} and exits.
 */
import { createInterface } from 'node:readline';

type Acquire = (url: undefined, options: object) => Promise<{ stop(): Promise<void> } & Record<string, unknown>>;

const [mode, moduleSpecifier = '#database', optionsJson = '{}'] = process.argv.slice(2);
const events = ['beforeExit', 'exit', 'SIGTERM', 'SIGINT'] as const;
const counts = () => Object.fromEntries(events.map((event) => [event, process.listenerCount(event)]));

if (mode === 'listeners') {
  const before = counts();
  await import(moduleSpecifier);
  console.log(JSON.stringify({ before, after: counts() }));
  process.exitCode = 3;
} else if (mode === 'start') {
  const { acquirePostgres } = (await import(moduleSpecifier)) as { acquirePostgres: Acquire };
  const logs: string[] = [];
  const server = await acquirePostgres(undefined, { ...JSON.parse(optionsJson), onLog: (line: string) => logs.push(line) });
  const { stop: _stop, ...info } = server;
  console.log(JSON.stringify({ ...info, logs, childPid: process.pid }));
  const input = createInterface({ input: process.stdin });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    console.log(JSON.stringify({ stopped: true }));
    input.close();
  };
  input.on('line', (line) => void (line.trim() === 'stop' ? stop() : undefined));
  input.on('close', () => void stop());
} else {
  console.error(`unknown mode ${mode}`);
  process.exitCode = 2;
}
