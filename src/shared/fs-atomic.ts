/**
 * Crash-safe writes: write into a temporary sibling, fsync, then rename over the target. A crash at
 * any moment leaves either the old or the new version, never a half-written one.
 */
import { existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Writes a file and fsyncs it before returning. */
export async function writeFileDurable(file: string, content: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory so that renames inside it survive a power loss (no-op where unsupported). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot open or fsync directories; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Atomically replaces a file's content. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFileDurable(temp, content);
  await rename(temp, file);
  await fsyncDir(path.dirname(file));
}

/**
 * Swaps a fully written folder `ready` into place at `target`. The previous folder is renamed
 * aside first and removed after; readers that resolve `target` see the old or the new one.
 */
export async function swapDirectory(ready: string, target: string): Promise<void> {
  await fsyncDir(ready);
  const old = `${target}.old-${process.pid}-${Date.now()}`;
  const hadOld = existsSync(target);
  if (hadOld) await rename(target, old);
  await rename(ready, target);
  await fsyncDir(path.dirname(target));
  if (hadOld) await rm(old, { recursive: true, force: true });
}
