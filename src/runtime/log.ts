// The process log: one JSON object per line (level, time, component, msg, and the ids that apply:
// eventId, workflowId, activity…), or a readable line with LOG_FORMAT=pretty (what `npm start`
// uses). Callers never pass names, e-mails, tokens or secrets: ids and outcomes only.

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'info' | 'warn' | 'error';
/** Ids and outcomes that say what a line is about; never personal data. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A log line with its fields; plain `(line) => …` functions fit too (tests capture lines so). */
export type LogLine = (msg: string, fields?: LogFields) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** One log line in the given format (without its newline). */
export function formatLogLine(
  format: LogFormat,
  entry: { level: LogLevel; time: Date; component: string; msg: string; fields?: LogFields },
): string {
  const fields = Object.entries(entry.fields ?? {}).filter(
    (f): f is [string, string | number | boolean | null] => f[1] !== undefined,
  );
  if (format === 'json') {
    return JSON.stringify({
      level: entry.level,
      time: entry.time.toISOString(),
      component: entry.component,
      msg: entry.msg,
      ...Object.fromEntries(fields),
    });
  }
  const extra = fields.map(
    ([k, v]) => ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`,
  );
  const level = entry.level === 'info' ? '' : ` ${entry.level.toUpperCase()}`;
  return `${entry.time.toISOString().slice(11, 19)}${level} [${entry.component}] ${entry.msg}${extra.join('')}`;
}

export function createLogger(
  component: string,
  format: LogFormat,
  write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`),
  now: () => Date = () => new Date(),
): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void =>
      write(formatLogLine(format, { level, time: now(), component, msg, ...(fields ? { fields } : {}) }));
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
