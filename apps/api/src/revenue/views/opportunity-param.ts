import { ParseUUIDPipe } from '@nestjs/common';
import { ProblemException, problems } from '../../errors/problem.js';

/** Same answer whether the opportunity does not exist, did not exist yet, or belongs to another org. */
export const opportunityNotFound = () =>
  new ProblemException(
    404,
    'opportunity-not-found',
    'Opportunity not found',
    'No opportunity with this id is visible in the organization.',
  );

/** A malformed :opportunityId is a 400 problem naming the parameter (not Nest's plain text). */
export const uuidParam = () =>
  new ParseUUIDPipe({
    exceptionFactory: () => problems.validation([{ pointer: '#/opportunityId', detail: 'opportunityId must be a UUID' }]),
  });
