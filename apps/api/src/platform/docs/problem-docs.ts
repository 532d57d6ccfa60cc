/**
 * Documented error answers that add up: several decorators on one route (the route kind's, the
 * command pipeline's, the route's own) may each describe the same status, and the OpenAPI
 * document lists that status once with every reason (completeDocument in ops/api-docs.ts).
 * Unlike @ApiResponse, a later decorator never replaces an earlier one's description.
 */
const PROBLEMS_KEY = 'api:documented-problems';

export interface DocumentedProblem {
  readonly status: number;
  readonly description: string;
}

/** The error statuses a route (or every route of a controller) can answer, each with why. */
export const ApiProblems =
  (problems: Readonly<Partial<Record<number, string>>>): ClassDecorator & MethodDecorator =>
  (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder = (descriptor?.value ?? target) as object;
    const listed = Object.entries(problems).flatMap(([status, description]) =>
      description === undefined ? [] : [{ status: Number(status), description }],
    );
    const existing = (Reflect.getMetadata(PROBLEMS_KEY, holder) ?? []) as DocumentedProblem[];
    Reflect.defineMetadata(PROBLEMS_KEY, [...listed, ...existing], holder);
  };

/** What @ApiProblems says about a handler: its controller's first, then its own. */
export function documentedProblems(controller: object, handler: object): DocumentedProblem[] {
  const of = (holder: object) => (Reflect.getMetadata(PROBLEMS_KEY, holder) ?? []) as DocumentedProblem[];
  return [...of(controller), ...of(handler)];
}

/** The response headers of a command that wrote to an org stream (absent when nothing was written). */
export const COMMAND_REPLY_HEADERS = {
  ETag: { description: 'The org stream revision after the command, quoted ("12"): send it as If-Match.', schema: { type: 'string' } },
  'X-Log-Position': {
    description: 'The log position "<commit>-<prepare>" of the write: send it as X-Min-Position to read it back.',
    schema: { type: 'string' },
  },
} as const;
