import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { AppError, FieldError } from './app-error';

/** RFC 9457 problem details, as every error of the management and self-service APIs is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TYPE_BASE = 'https://identity-pools.dev/problems/';

export function problemFromAppError(error: AppError): Problem {
  const slug = error.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return {
    type: `${TYPE_BASE}${slug}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(error.errors?.length ? { errors: error.errors } : {}),
  };
}

export function genericProblem(status: number, detail: string): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
}

export function writeProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
