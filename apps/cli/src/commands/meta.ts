import { randomUUID } from 'node:crypto';
import type { CommandMeta } from '#revenue-commands';

/** Every event the CLI causes names the CLI as its actor; one correlation id per invocation. */
export const cliMeta = (): CommandMeta => ({ actor: { kind: 'system', id: 'cli' }, correlationId: randomUUID() });
