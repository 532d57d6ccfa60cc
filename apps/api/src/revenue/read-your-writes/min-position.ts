import { type LogPosition, parsePosition } from '#event-store';
import { ProblemException } from '../../errors/problem.js';

export const MIN_POSITION_HEADER = 'x-min-position';

/** Seconds a client should wait before retrying a read whose read model is still behind. */
export const RETRY_AFTER_SECONDS = 1;

export const readYourWritesProblems = {
  malformed: () =>
    new ProblemException(
      400,
      'invalid-min-position',
      'Invalid X-Min-Position',
      'X-Min-Position must be a log position "<commit>-<prepare>" as returned in X-Log-Position.',
    ),
  behind: (position: string) =>
    new ProblemException(
      503,
      'read-model-behind',
      'Service Unavailable',
      `The read model has not yet caught up with position ${position}; retry shortly.`,
      { minPosition: position },
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    ),
};

/** The position a read must include, or null when the header is absent; malformed -> 400. */
export function minPositionFrom(header: string | undefined): LogPosition | null {
  if (header === undefined) return null;
  const position = parsePosition(header.trim());
  // 20 digits may exceed int8: such a position cannot exist in the log.
  const INT8_MAX = 9_223_372_036_854_775_807n;
  if (!position || position.commit > INT8_MAX || position.prepare > INT8_MAX) throw readYourWritesProblems.malformed();
  return position;
}
