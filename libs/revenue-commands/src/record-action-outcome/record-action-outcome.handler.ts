import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideRecordActionOutcome } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../execute-on-org.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { RecordActionOutcome } from './record-action-outcome.command.js';

@CommandHandler(RecordActionOutcome)
export class RecordActionOutcomeHandler implements ICommandHandler<RecordActionOutcome, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute(command: RecordActionOutcome): Promise<RevenueCommandResult> {
    const { orgId } = command;
    return executeOnOrg(this.deps, orgId, RecordActionOutcome.commandName, command.meta, (state, ctx) =>
      decideRecordActionOutcome({ kind: 'RecordActionOutcome', orgId, actionId: command.actionId, outcome: command.outcome }, state, ctx),
    );
  }
}
