import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

class FieldErrorSchema {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be an email address' })
  message: string;
}

export class ProblemSchema {
  @ApiProperty({ example: 'https://identity-pools.dev/problems/invalid-request' })
  type: string;

  @ApiProperty({ example: 'Invalid request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has invalid fields; see `errors` and correct each one.' })
  detail: string;

  @ApiProperty({ type: [FieldErrorSchema], required: false })
  errors?: FieldErrorSchema[];
}

/** What each status means on the management API, with the title the service answers with. */
const MANAGEMENT: Record<number, { detail: string; title: string }> = {
  400: { detail: 'The request has invalid fields; see `errors` and correct each one.', title: 'Invalid request' },
  401: { detail: 'Send a valid API key as `Authorization: Bearer <key>`.', title: 'Unauthorized' },
  403: { detail: 'Only the root API key may do this; a workspace key manages its own workspace only.', title: 'Forbidden' },
  404: { detail: 'No such resource in this workspace (an id of another workspace is unknown here too).', title: 'Not found' },
  409: { detail: 'It conflicts with what exists: a name, email, mobile or externalId already taken, named in `errors`.', title: 'Conflict' },
  410: { detail: 'The link expired or was already used; ask for a new one.', title: 'Gone' },
  413: { detail: 'The body is larger than the limit; send less per request.', title: 'Payload too large' },
  415: { detail: 'Send the body as application/json.', title: 'Unsupported media type' },
  429: { detail: 'Too many attempts; retry after `Retry-After` seconds.', title: 'Too many requests' },
};

/** A status, or a status with what it means for this operation. */
export type ProblemSpec = number | { status: number; detail: string };

const EXAMPLE_ERRORS = [{ field: 'email', message: 'email must be an email address' }];

function problemResponse(spec: ProblemSpec, meanings: Record<number, { detail: string; title: string }>) {
  const status = typeof spec === 'number' ? spec : spec.status;
  const detail = typeof spec === 'number' ? meanings[status].detail : spec.detail;
  const { title } = meanings[status];
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return ApiResponse({
    status,
    description: detail,
    ...(status === 429 && { headers: { 'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' } } } }),
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/ProblemSchema' },
        example: { type: `https://identity-pools.dev/problems/${slug}`, title, status, detail, ...(status === 400 && { errors: EXAMPLE_ERRORS }) },
      },
    },
  });
}

/** Documents the problem+json answers of a management route (which all need an API key: 401), with an example each. */
export function ApiProblems(...specs: ProblemSpec[]) {
  return applyDecorators(...[401, ...specs].map((spec) => problemResponse(spec, MANAGEMENT)));
}

/** The same for the self-service routes, which take no API key: what each status means there. */
export function ApiPublicProblems(...specs: ProblemSpec[]) {
  return applyDecorators(
    ...specs.map((spec) =>
      problemResponse(spec, {
        ...MANAGEMENT,
        403: { detail: 'This pool does not allow self-registration; ask its administrator for an invitation.', title: 'Forbidden' },
        404: { detail: 'The link (or pool) is not known; check that the whole link was copied.', title: 'Not found' },
      }),
    ),
  );
}
