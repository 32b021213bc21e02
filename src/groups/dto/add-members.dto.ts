import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsUUID } from 'class-validator';

export class AddMembersDto {
  /** Users from any pool of the workspace; all are added or none. @example ["5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"] */
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsUUID(undefined, { each: true, message: 'each value in userIds must be a user id (UUID)' })
  userIds: string[];
}
