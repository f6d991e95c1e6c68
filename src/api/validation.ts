// zod at the edge: a 400 names every bad field, in the same shape as the event endpoint's.
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { idProblem } from './deskworks-events';

export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Parses or answers 400; returns undefined when it answered. */
export function parseOr400<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  res: Response,
): z.infer<T> | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as z.infer<T>;
  res.status(400).json({ error: 'invalid_request', issues: zodIssues(parsed.error) });
  return undefined;
}

/**
 * An id taken from the path (`/api/people/:personId/…`) under the event contract's id rule
 * (1–200 characters of valid Unicode), or a 400 naming the parameter; undefined when it answered.
 * Without it, an id Temporal cannot take as a workflow id would fail there, as a 5xx.
 */
export function idParamOr400(name: string, value: string | undefined, res: Response): string | undefined {
  const problem = idProblem(value ?? '');
  if (problem === null) return value;
  res.status(400).json({ error: 'invalid_request', issues: [{ path: name, message: problem }] });
  return undefined;
}

/**
 * Express fails a path whose %-escapes do not decode as UTF-8 (e.g. `%ED%A0%80`, a lone surrogate)
 * with a URIError of status 400 before any handler runs, which the app's last error handler would
 * answer as a 5xx. For the given paths, this answers it as the 400 naming the parameter instead;
 * any other error goes on unchanged.
 */
export function undecodableIdParamAs400(
  routes: readonly { path: RegExp; param: string }[],
): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const route = routes.find((r) => r.path.test(req.path));
    if (!(err instanceof URIError) || (err as { status?: unknown }).status !== 400 || !route) {
      next(err);
      return;
    }
    res.status(400).json({
      error: 'invalid_request',
      issues: [{ path: route.param, message: 'must be valid UTF-8 once percent-decoded' }],
    });
  };
}
