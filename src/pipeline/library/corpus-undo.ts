/**
 * What a library change did to the corpus folder, kept so that it can be undone: when the index
 * step fails (a full disk, a store that refuses the document), the files written for it go and the
 * files it replaced or removed come back, so the corpus and the index agree again and a later write
 * does not trip over the same document. (A process killed mid-change cannot undo anything: the next
 * write of the same file, or the next ingest, completes it instead; see library.ts.)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/fs-atomic.js';
import { ORIGINALS_FOLDER } from './corpus.js';

/** Removes a file (gone already is fine) and its per-document originals folder once empty. */
export async function removeFileQuietly(file: string): Promise<void> {
  await rm(file, { force: true });
  const dir = path.dirname(file);
  if (path.basename(path.dirname(dir)) === ORIGINALS_FOLDER) {
    try {
      if ((await readdir(dir)).length === 0) await rmdir(dir);
    } catch {
      // Already gone or not empty: nothing to tidy.
    }
  }
}

export class CorpusUndo {
  /** Each file touched, with its bytes before the change (undefined: it did not exist). */
  private readonly before = new Map<string, Buffer | undefined>();
  /** Folders the change created, outermost first. */
  private readonly created: string[] = [];

  /**
   * Creates `dir` and its missing parents one level at a time, noting each (a recursive mkdir on a
   * read-only file system reports ENOENT instead of EROFS; one level at a time says EROFS).
   */
  async makeDirectory(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = path.resolve(dir); !existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      try {
        await mkdir(d);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        continue;
      }
      this.created.push(d);
    }
  }

  /** Notes `file` as it is now; call before writing or removing it (a second call keeps the first). */
  async remember(file: string): Promise<void> {
    if (this.before.has(file)) return;
    try {
      this.before.set(file, await readFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.before.set(file, undefined);
    }
  }

  /** Puts every file back as it was, the last touched first. */
  async undo(): Promise<void> {
    for (const [file, bytes] of [...this.before].reverse()) {
      if (bytes === undefined) await removeFileQuietly(file);
      else {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, bytes);
      }
    }
    // Created folders go once empty, innermost first (one holding anything else stays).
    for (const dir of this.created.reverse()) await rmdir(dir).catch(() => undefined);
    this.before.clear();
    this.created.length = 0;
  }
}
