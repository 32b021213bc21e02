import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, isUUID, ValidateBy } from 'class-validator';

/** How many bad entries a message names; the rest are counted, so a 1,000-id mistake stays readable. */
const NAMED_AT_MOST = 20;

/** The most users one request adds: the lookup of unknown ids stays one bounded query. */
export const MAX_MEMBERS_PER_REQUEST = 1000;

/** A well-formed user id: only these are looked up, so the answer can also name the unknown ones. */
export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && isUUID(value);
}

/**
 * Every entry a UUID. class-validator's `IsUUID({each})` only says that some entry is not,
 * which leaves a client with a long list guessing; API.md wants the bad ids named (as the
 * unknown ones are), so the message names each bad entry by index. The field stays
 * `userIds`, one entry however many are malformed, so the answer stays small; the
 * well-formed ids that name nobody join it as `userIds[i]` fields (GroupsService).
 */
function EachUserId(): PropertyDecorator {
  const bad = (value: unknown): number[] => (Array.isArray(value) ? value.flatMap((id, index) => (isUserId(id) ? [] : [index])) : []);
  return ValidateBy({
    name: 'eachUserId',
    validator: {
      validate: (value: unknown) => !Array.isArray(value) || bad(value).length === 0,
      defaultMessage: (args) => {
        const values = args?.value as unknown[];
        const indexes = bad(values);
        const named = indexes.slice(0, NAMED_AT_MOST).map((index) => `userIds[${index}] (${JSON.stringify(values[index])?.slice(0, 60) ?? 'undefined'})`);
        const more = indexes.length > NAMED_AT_MOST ? ` and ${indexes.length - NAMED_AT_MOST} more` : '';
        return `each value in userIds must be a user id (UUID); these are not: ${named.join(', ')}${more}`;
      },
    },
  });
}

export class AddMembersDto {
  /** Users from any pool of the workspace; all are added or none. @example ["5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"] */
  @ApiProperty({ type: 'string', format: 'uuid', isArray: true, minItems: 1, maxItems: MAX_MEMBERS_PER_REQUEST })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_MEMBERS_PER_REQUEST)
  @EachUserId()
  userIds: string[];
}
