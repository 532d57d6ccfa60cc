import { describe, it } from '@jest/globals';
import type { RevenueCommand } from '../commands.js';
import { InvalidCommandError, OrgMismatchError } from '../errors.js';
import { actionProposed, ORG, opportunityDetected } from '../test-support/fixtures.js';
import { given, testContext } from '../test-support/given-when-then.js';

const history = [opportunityDetected({ id: 'o1', type: 'upsell' }), actionProposed({ id: 'a1', opportunityId: 'o1' })];

describe('decide (routing and shared checks)', () => {
  it('refuses an unknown command kind', () => {
    given(history)
      .when({ kind: 'Explode', orgId: ORG } as unknown as RevenueCommand)
      .thenError(InvalidCommandError, 'invalid_command', /unknown command Explode/);
  });

  it.each<RevenueCommand>([
    { kind: 'ApproveAction', orgId: 'org-2', actionId: 'a1' },
    { kind: 'RejectAction', orgId: 'org-2', actionId: 'a1', reason: 'no' },
    { kind: 'RecordActionDispatch', orgId: 'org-2', actionId: 'a1', result: 'sent' },
    { kind: 'RecordActionOutcome', orgId: 'org-2', actionId: 'a1', outcome: 'accepted' },
    { kind: 'ExpireAction', orgId: 'org-2', actionId: 'a1' },
    { kind: 'CloseOpportunity', orgId: 'org-2', opportunityId: 'o1', outcome: 'lost' },
    { kind: 'TriggerActions', orgId: 'org-2', availableCredits: 1 },
  ])("refuses $kind for another org than the stream's", (command) => {
    given(history).when(command).thenError(OrgMismatchError, 'org_mismatch', 'command for org org-2 sent to the stream of org org-1');
  });

  it('refuses a blank org id and a broken clock', () => {
    given(history).when({ kind: 'ApproveAction', orgId: '', actionId: 'a1' }).thenError(InvalidCommandError, 'invalid_command', /orgId/);
    given(history)
      .when({ kind: 'ApproveAction', orgId: ORG, actionId: 'a1' }, testContext({ now: new Date('nope') }))
      .thenError(InvalidCommandError, 'invalid_command', /context\.now/);
  });
});
