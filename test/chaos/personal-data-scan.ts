// Issue 13: "a test greps the logs and the raw histories of a full run for names, e-mails and
// secrets, and finds none." At the end of `npm run chaos` every log line of the API, the workers and
// the Temporal dev server, and the dev server's database itself (every history, every visibility
// row), are searched for the stream's names and e-mails and for the run's secrets. The SALTO KS
// simulator is left out: SALTO KS holds names and e-mails by design.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Needle {
  /** What it is, never the value itself (the report must not print a secret). */
  what: string;
  value: string;
}

export interface PersonalDataHit {
  where: string;
  what: string;
}

export class PersonalDataScan {
  private readonly forms: { what: string; bytes: Buffer; text: string }[];
  private readonly seen = new Set<string>();
  readonly hits: PersonalDataHit[] = [];
  /** Bytes searched, by where: proof that the search looked at something. */
  readonly searched = new Map<string, number>();

  constructor(needles: readonly Needle[]) {
    this.forms = needles.flatMap((n) =>
      [...new Set([n.value, n.value.toLowerCase(), n.value.toUpperCase()])].map((form) => ({
        what: n.what,
        bytes: Buffer.from(form, 'utf8'),
        text: form,
      })),
    );
  }

  private hit(where: string, what: string): void {
    const key = `${where}|${what}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.hits.push({ where, what });
  }

  /** Some output of a process. */
  scanText(where: string, text: string): void {
    this.searched.set(where, (this.searched.get(where) ?? 0) + text.length);
    for (const f of this.forms) if (text.includes(f.text)) this.hit(where, f.what);
  }

  /** Every file of a directory whose name starts with `prefix` (a SQLite database and its WAL). */
  scanFiles(where: string, dir: string, prefix: string): void {
    for (const name of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
      const bytes = readIfStillThere(join(dir, name));
      if (bytes === null) continue; // a SQLite journal comes and goes with each write
      this.searched.set(where, (this.searched.get(where) ?? 0) + bytes.length);
      for (const f of this.forms) if (bytes.includes(f.bytes)) this.hit(`${where} (${name})`, f.what);
    }
  }
}

function readIfStillThere(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
