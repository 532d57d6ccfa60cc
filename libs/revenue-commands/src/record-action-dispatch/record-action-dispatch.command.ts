import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../execute-on-org.js';
import type { CommandMeta } from '../revenue-deps.js';

/** The dispatcher reports that an approved action went out (credits charged) or failed (credits released). */
export class RecordActionDispatch extends Command<RevenueCommandResult> {
  static readonly commandName = 'RecordActionDispatch';
  constructor(
    readonly orgId: string,
    readonly actionId: string,
    readonly result: 'sent' | 'failed',
    readonly reason: string | undefined,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
