// SALTO KS's error body: {"ErrorCode":"<string>","Message":"…"} (contract §2 Errors).
import type { Response } from 'express';

export function saltoError(res: Response, status: number, errorCode: string, message: string): void {
  res.status(status).json({ ErrorCode: errorCode, Message: message });
}

export const malformed = (res: Response, message = 'Malformed request.') =>
  saltoError(res, 400, '1100', message);
export const validationFailed = (res: Response, message: string) =>
  saltoError(res, 400, '1101', `Validation failed: ${message}`);
export const badFilter = (res: Response, message: string) => saltoError(res, 400, '1102', message);
export const notFound = (res: Response, what = 'Resource') =>
  saltoError(res, 404, '2202', `${what} not found.`);
export const notAllowed = (res: Response) => saltoError(res, 403, '2203', 'Operation not allowed.');
