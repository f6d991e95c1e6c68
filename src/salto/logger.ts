// The client's only output channel. Injectable so tests can capture every line and prove
// that nothing secret is written; callers pass structured fields, never request headers.

export type SaltoLogFields = Record<string, string | number | boolean | null>;

export interface SaltoLogger {
  info(message: string, fields?: SaltoLogFields): void;
  warn(message: string, fields?: SaltoLogFields): void;
}

/** The default: the client stays quiet unless the process gives it somewhere to write. */
export const silentSaltoLogger: SaltoLogger = {
  info: () => undefined,
  warn: () => undefined,
};

export const consoleSaltoLogger: SaltoLogger = {
  info: (message, fields) => console.log(format(message, fields)),
  warn: (message, fields) => console.warn(format(message, fields)),
};

function format(message: string, fields?: SaltoLogFields): string {
  return fields && Object.keys(fields).length > 0 ? `${message} ${JSON.stringify(fields)}` : message;
}
