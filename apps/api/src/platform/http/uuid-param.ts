import { ParseUUIDPipe } from '@nestjs/common';
import { isUuid } from '#database';
import { problems } from '../errors/problem.js';

/** A malformed UUID path parameter is a 400 problem naming the parameter (not Nest's plain text). */
export const uuidParam = (name: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => problems.validation([{ pointer: `#/${name}`, detail: `${name} must be a UUID` }]) });

/** A UUID path id, lowercased, or the route's own 400 (e.g. `invalid-action-id`). */
export function pathId(value: string, refuse: () => Error): string {
  if (!isUuid(value)) throw refuse();
  return value.toLowerCase();
}
