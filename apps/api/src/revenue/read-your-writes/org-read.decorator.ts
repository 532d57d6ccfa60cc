import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { OrgScoped } from '../../auth/decorators.js';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor.js';

/** The OpenAPI description every org-scoped endpoint shares (headers and error answers). */
export const OrgScopedDocs = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiHeader({ name: 'X-Org-Id', required: false, description: 'The organization (uuid); optional when the user has exactly one.' }),
    ApiResponse({ status: 400, description: 'Invalid parameters, X-Org-Id or X-Min-Position (problem+json).' }),
    ApiResponse({ status: 401, description: 'Missing, expired or invalid access token.' }),
    ApiResponse({ status: 403, description: 'The kind of caller (user or service) or scope does not fit the route.' }),
    ApiResponse({ status: 404, description: 'No organization you can read matches (members and outsiders alike).' }),
  );

/**
 * An org-scoped read: owners and admins of the X-Org-Id org, with read-your-writes on
 * X-Min-Position (the X-Log-Position a command answered).
 */
export const OrgRead = () =>
  applyDecorators(
    OrgScoped(),
    UseInterceptors(ReadYourWritesInterceptor),
    OrgScopedDocs(),
    ApiHeader({
      name: 'X-Min-Position',
      required: false,
      description: 'Wait (at most 5 s) until the read model includes this log position "<commit>-<prepare>".',
    }),
    ApiResponse({ status: 503, description: 'The read model did not reach X-Min-Position in time; see Retry-After.' }),
  );
