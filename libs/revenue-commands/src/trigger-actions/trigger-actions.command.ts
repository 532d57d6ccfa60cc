import { Command } from '@nestjs/cqrs';
import type { RevenueCommandResult } from '../org-command.js';
import type { CommandMeta } from '../revenue-deps.js';

/** Proposes actions for the org's best open opportunities, reserving credits for each. */
export class TriggerActions extends Command<RevenueCommandResult> {
  static readonly commandName = 'TriggerActions';
  constructor(
    readonly orgId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
