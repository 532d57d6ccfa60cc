import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideRecordActionDispatch } from '#revenue';
import { executeOnOrg, type RevenueCommandResult } from '../execute-on-org.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { RecordActionDispatch } from './record-action-dispatch.command.js';

@CommandHandler(RecordActionDispatch)
export class RecordActionDispatchHandler implements ICommandHandler<RecordActionDispatch, RevenueCommandResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  execute(command: RecordActionDispatch): Promise<RevenueCommandResult> {
    const { orgId } = command;
    return executeOnOrg(this.deps, orgId, RecordActionDispatch.commandName, command.meta, (state, ctx) =>
      decideRecordActionDispatch(
        { kind: 'RecordActionDispatch', orgId, actionId: command.actionId, result: command.result, reason: command.reason },
        state,
        ctx,
      ),
    );
  }
}
