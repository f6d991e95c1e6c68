// zod at the edge: a 400 names every bad field, in the same shape as the event endpoint's.
import type { Response } from 'express';
import type { z } from 'zod';

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
