/**
 * Wires configuration to the embedding layer: resolves the model profile, builds the offline model
 * when its folder is missing, loads the transformers.js embedder.
 */
import type { Config } from '../../config/index.js';
import type { Embedder } from '../../embeddings/embedder.js';
import { resolveProfile, type ModelProfile } from '../../embeddings/profiles.js';
import { createTransformersEmbedder } from '../../embeddings/transformers-embedder.js';
import type { Logger } from '../../shared/logger.js';
import { silentLogger } from '../../shared/logger.js';
import type { IndexExpectations } from '../../storage/file/index-store.js';
import { ensureOfflineModel } from '../tools/model-build.js';

export interface EmbeddingRuntime {
  embedder: Embedder;
  profile: ModelProfile;
}

export async function createEmbeddingRuntime(config: Config, logger: Logger = silentLogger): Promise<EmbeddingRuntime> {
  const profile = resolveProfile(config.embeddingModel);
  if (profile.builtLocally) await ensureOfflineModel({ modelsDir: config.modelsDir, logger });
  const embedder = await createTransformersEmbedder({
    profile,
    modelsDir: config.modelsDir,
    allowRemoteModels: config.allowRemoteModels,
    batchSize: config.embedBatchSize,
    ...(config.hfRemoteHost ? { remoteHost: config.hfRemoteHost } : {}),
  });
  return { embedder, profile };
}

export function expectationsFor(config: Config, embedder: Embedder): IndexExpectations {
  return {
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    chunkMaxChars: config.chunkMaxChars,
    chunkMinChars: config.chunkMinChars,
    efSearch: config.hnswEfSearch,
  };
}
