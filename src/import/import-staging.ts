// Where an uploaded import waits for the workers (the claim-check pattern): the API cuts the file
// into chunks of rows and stores each in the shared data directory; the import workflow carries
// only the import's id and chunk count, and its activities read one chunk at a time. Rows hold
// names and e-mails, so each chunk is sealed with the payload codec (the same keys as Temporal's
// payloads) when one is configured.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { isImportId } from '../shared/ids';
import { writeFileAtomically } from '../storage/atomic-file';
import type { SplitRow } from './row-splitter';

export class ImportStaging {
  constructor(
    private readonly directory: string,
    private readonly codec: PayloadCodec | null,
  ) {}

  async writeChunk(importId: string, index: number, rows: SplitRow[]): Promise<void> {
    const plain: temporal.api.common.v1.IPayload = {
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from(JSON.stringify(rows)),
    };
    const [stored] = this.codec ? await this.codec.encode([plain]) : [plain];
    const bytes = temporal.api.common.v1.Payload.encode(stored!).finish();
    await writeFileAtomically(this.chunkPath(importId, index), Buffer.from(bytes).toString('base64'));
  }

  async readChunk(importId: string, index: number): Promise<SplitRow[]> {
    const text = await readFile(this.chunkPath(importId, index), 'utf8');
    const stored = temporal.api.common.v1.Payload.decode(Buffer.from(text, 'base64'));
    const [plain] = this.codec ? await this.codec.decode([stored]) : [stored];
    return JSON.parse(Buffer.from(plain!.data ?? new Uint8Array()).toString('utf8')) as SplitRow[];
  }

  async chunkCount(importId: string): Promise<number> {
    try {
      return (await readdir(this.folder(importId))).filter((f) => f.endsWith('.chunk')).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  async discard(importId: string): Promise<void> {
    await rm(this.folder(importId), { recursive: true, force: true });
  }

  private folder(importId: string): string {
    // The id becomes a path: only ids this service makes are accepted.
    if (!isImportId(importId)) throw new Error(`not an import id: ${JSON.stringify(importId)}`);
    return join(this.directory, importId);
  }

  private chunkPath(importId: string, index: number): string {
    return join(this.folder(importId), `${String(index).padStart(6, '0')}.chunk`);
  }
}
