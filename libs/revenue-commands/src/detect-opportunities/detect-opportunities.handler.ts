import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { executeOnOrg } from '../org-command.js';
import { REVENUE_DEPS, type RevenueDeps } from '../revenue-deps.js';
import { detectCommands, type DetectCommand, type DetectResult } from './detect-opportunities.command.js';
import { detect, recordDetections } from './detect-and-record.js';

/** One handler body for the five Detect* commands: they differ only in the detector they run. */
class DetectOpportunitiesHandler implements ICommandHandler<DetectCommand, DetectResult> {
  constructor(@Inject(REVENUE_DEPS) private readonly deps: RevenueDeps) {}

  async execute(command: DetectCommand): Promise<DetectResult> {
    const detections = await detect(this.deps, command.orgId, [command.opportunityType]);
    const result = await executeOnOrg(
      this.deps,
      command.orgId,
      command.commandName,
      command.meta,
      recordDetections(command.orgId, detections, [command.opportunityType]),
    );
    return { ...result, detections };
  }
}

/** Nest routes a command to the handler registered for its exact class: one subclass each. */
export const detectHandlers = detectCommands.map((commandClass) => {
  const handler = class extends DetectOpportunitiesHandler {};
  Object.defineProperty(handler, 'name', { value: `${commandClass.name}Handler` });
  CommandHandler(commandClass)(handler);
  return handler;
});
