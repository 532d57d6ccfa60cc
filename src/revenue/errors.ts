/**
 * Refusals of the revenue domain. Each carries a stable `code` for the API's problem+json and a
 * message that names the entity and the offending value. One flat level under DomainError.
 */
export type DomainErrorCode =
  | 'invalid_command'
  | 'org_mismatch'
  | 'action_not_found'
  | 'opportunity_not_found'
  | 'invalid_transition'
  | 'opportunity_closed'
  | 'delivery_owned_elsewhere';

export class DomainError extends Error {
  override readonly name: string = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The command (or a detection or usage summary inside it) is malformed. */
export class InvalidCommandError extends DomainError {
  override readonly name = 'InvalidCommandError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super('invalid_command', `${field}: ${problem}`);
  }
}

export class OrgMismatchError extends DomainError {
  override readonly name = 'OrgMismatchError';
  constructor(
    readonly streamOrgId: string,
    readonly commandOrgId: string,
  ) {
    super('org_mismatch', `command for org ${commandOrgId} sent to the stream of org ${streamOrgId}`);
  }
}

export class ActionNotFoundError extends DomainError {
  override readonly name = 'ActionNotFoundError';
  constructor(readonly actionId: string) {
    super('action_not_found', `action ${actionId} not found`);
  }
}

export class OpportunityNotFoundError extends DomainError {
  override readonly name = 'OpportunityNotFoundError';
  constructor(readonly opportunityId: string) {
    super('opportunity_not_found', `opportunity ${opportunityId} not found`);
  }
}

export class InvalidTransitionError extends DomainError {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly entity: 'action' | 'opportunity',
    readonly id: string,
    readonly from: string,
    readonly to: string,
  ) {
    super('invalid_transition', `${entity} ${id} cannot go from ${from} to ${to}`);
  }
}

/** A command that needs an open opportunity found it closed with another outcome. */
export class OpportunityClosedError extends DomainError {
  override readonly name = 'OpportunityClosedError';
  constructor(
    readonly opportunityId: string,
    readonly status: string,
  ) {
    super('opportunity_closed', `opportunity ${opportunityId} is already closed (${status})`);
  }
}

/** A dispatch report from the party that does not deliver this action (see RecordActionDispatch). */
export class DeliveryOwnedElsewhereError extends DomainError {
  override readonly name = 'DeliveryOwnedElsewhereError';
  constructor(
    readonly actionId: string,
    readonly deliveredBy: 'engine' | 'external',
  ) {
    super(
      'delivery_owned_elsewhere',
      deliveredBy === 'engine'
        ? `action ${actionId} is delivered by the engine's channel, which records sent or failed itself`
        : `action ${actionId} is delivered by an external dispatcher, which reports sent or failed`,
    );
  }
}
