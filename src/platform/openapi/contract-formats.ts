import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const UUID_EXAMPLE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * API.md's conventions ("UUID ids, ISO-8601 UTC timestamps") as OpenAPI formats, so
 * generated clients parse timestamps as dates and validate ids. The DTOs name them by
 * convention rather than each with its own decorator: a `…At` or `…Until` string is a timestamp; an
 * `id` or `…Id` string whose example is a UUID is one (externalId and clientId are not);
 * every path parameter is a resource id, so a UUID. And no number of this API has a
 * fraction (counts, lengths, seconds, priorities, statuses), so each is an integer.
 */
export function declareContractFormats(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) declareFormats(schema as SchemaObject);
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const operation of Object.values(operations)) {
      const parameters = (operation as { parameters?: (ParameterObject | ReferenceObject)[] }).parameters ?? [];
      for (const parameter of parameters) {
        if (!('in' in parameter)) continue;
        const schema = parameter.schema as SchemaObject | undefined;
        if (parameter.in === 'path') {
          parameter.schema = { ...schema, type: 'string', format: 'uuid' };
          parameter.description ||= PATH_IDS[parameter.name === 'id' ? collectionOf(path, parameter.name) : parameter.name];
        } else if (schema?.type === 'number') schema.type = 'integer';
      }
    }
  }
}

/** What each path id names, by its name (or, for `{id}`, the collection before it). */
const PATH_IDS: Record<string, string> = {
  ws: 'The workspace’s id.',
  pool: 'The id of an identity pool of the workspace.',
  user: 'The id of a user (of the pool, where the path names one).',
  group: 'The id of a group of the workspace.',
  job: 'The id of an import job of the pool.',
  'api-keys': 'The API key’s id (not the key).',
  'identity-providers': 'The identity provider’s id (not the pool’s).',
  applications: 'The application’s id (not its clientId).',
};

function collectionOf(path: string, param: string): string {
  const segments = path.split('/');
  return segments[segments.indexOf(`{${param}}`) - 1];
}

/** The null a nullable reference may also be (OpenAPI 3.0.3: `nullable` counts only beside `type`). */
const NULL_ONLY: SchemaObject = { type: 'object', nullable: true, enum: [null] };

function declareFormats(schema: SchemaObject): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const prop = property as SchemaObject;
    // `T | null` of a DTO class comes out as `nullable` beside `allOf: [$ref]`, which still refuses null: a choice of the two says it.
    if (prop.nullable && prop.allOf?.length === 1) {
      prop.anyOf = [prop.allOf[0], NULL_ONLY];
      delete prop.allOf;
      delete prop.type;
      delete prop.nullable;
    }
    if (prop.type === 'number') prop.type = 'integer';
    if (prop.type === 'string' && !prop.format) {
      if (name.endsWith('At') || name.endsWith('Until')) prop.format = 'date-time';
      else if ((name === 'id' || name.endsWith('Id')) && UUID_EXAMPLE.test(String(prop.example))) prop.format = 'uuid';
    }
    declareFormats(prop);
  }
  if (schema.items) declareFormats(schema.items as SchemaObject);
}
