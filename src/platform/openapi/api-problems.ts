import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

class FieldErrorSchema {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be an email' })
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

const DESCRIPTIONS: Record<number, [string, string]> = {
  400: ['Malformed or invalid input; every invalid field is listed in `errors`.', 'Invalid request'],
  401: ['Missing or invalid API key.', 'Unauthorized'],
  403: ['The key may not do this.', 'Forbidden'],
  404: ['Unknown id, or one that belongs to another workspace.', 'Not found'],
  409: ['Conflicts with an existing resource (duplicate name, email or mobile).', 'Conflict'],
  410: ['The token expired or was already used.', 'Gone'],
  413: ['The body is larger than the limit.', 'Payload too large'],
  415: ['Unsupported Content-Type; send application/json.', 'Unsupported media type'],
  429: ['Too many requests; retry after `Retry-After` seconds.', 'Too many requests'],
};

/** Documents the problem+json answers a route can give, with an example each. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...[401, ...statuses].map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status][0],
        content: {
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/ProblemSchema' },
            example: { type: 'about:blank', title: DESCRIPTIONS[status][1], status, detail: DESCRIPTIONS[status][0] },
          },
        },
      }),
    ),
  );
}
