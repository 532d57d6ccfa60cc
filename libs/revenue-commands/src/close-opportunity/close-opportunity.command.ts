import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../execute-on-org.js';
import type { CommandMeta } from '../revenue-deps.js';

/** Closes an open opportunity by hand (lost, superseded or expired). */
export class CloseOpportunity extends Command<RevenueCommandResult> {
  static readonly commandName = 'CloseOpportunity';
  constructor(
    readonly orgId: string,
    readonly opportunityId: string,
    readonly outcome: 'lost' | 'superseded' | 'expired',
    readonly reason: string | undefined,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
