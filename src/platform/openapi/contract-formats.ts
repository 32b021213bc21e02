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
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      const parameters = (operation as { parameters?: (ParameterObject | ReferenceObject)[] }).parameters ?? [];
      for (const parameter of parameters) {
        if (!('in' in parameter)) continue;
        const schema = parameter.schema as SchemaObject | undefined;
        if (parameter.in === 'path') parameter.schema = { ...schema, type: 'string', format: 'uuid' };
        else if (schema?.type === 'number') schema.type = 'integer';
      }
    }
  }
}

function declareFormats(schema: SchemaObject): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const prop = property as SchemaObject;
    if (prop.type === 'number') prop.type = 'integer';
    if (prop.type === 'string' && !prop.format) {
      if (name.endsWith('At') || name.endsWith('Until')) prop.format = 'date-time';
      else if ((name === 'id' || name.endsWith('Id')) && UUID_EXAMPLE.test(String(prop.example))) prop.format = 'uuid';
    }
    declareFormats(prop);
  }
  if (schema.items) declareFormats(schema.items as SchemaObject);
}
