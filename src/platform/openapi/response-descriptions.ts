import type { OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

/**
 * @nestjs/swagger gives the success response it infers for a route an empty description,
 * which the UI shows as a blank row and OpenAPI does not allow (a response's description is
 * required text): such a response gets its status's reason phrase ("OK", "No Content").
 */
export function describeBareResponses(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Record<string, { description?: string }> }).responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (!response.description) response.description = STATUS_CODES[Number(status)] ?? status;
      }
    }
  }
}
