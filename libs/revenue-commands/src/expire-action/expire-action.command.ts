import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../execute-on-org.js';
import type { CommandMeta } from '../revenue-deps.js';

/** An action nobody decided on in time expires; its reserved credits are released. */
export class ExpireAction extends Command<RevenueCommandResult> {
  static readonly commandName = 'ExpireAction';
  constructor(
    readonly orgId: string,
    readonly actionId: string,
    readonly reason: string | undefined,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
