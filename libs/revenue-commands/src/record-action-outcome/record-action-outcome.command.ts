import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../execute-on-org.js';
import type { CommandMeta } from '../revenue-deps.js';

/** The customer's answer to a sent action; accepted wins the opportunity, declined loses it. */
export class RecordActionOutcome extends Command<RevenueCommandResult> {
  static readonly commandName = 'RecordActionOutcome';
  constructor(
    readonly orgId: string,
    readonly actionId: string,
    readonly outcome: 'accepted' | 'declined',
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
