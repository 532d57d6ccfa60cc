import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../execute-on-org.js';
import type { CommandMeta } from '../revenue-deps.js';

/** MAOS rejects a proposed action with a reason; its reserved credits are released. */
export class RejectAction extends Command<RevenueCommandResult> {
  static readonly commandName = 'RejectAction';
  constructor(
    readonly orgId: string,
    readonly actionId: string,
    readonly reason: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
