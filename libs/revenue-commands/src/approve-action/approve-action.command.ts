import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../execute-on-org.js';
import type { CommandMeta } from '../revenue-deps.js';

/** MAOS approves a proposed action; only then may it be dispatched. */
export class ApproveAction extends Command<RevenueCommandResult> {
  static readonly commandName = 'ApproveAction';
  constructor(
    readonly orgId: string,
    readonly actionId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
