import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createLocalStorage } from './local-storage.ts';
import type { ObjectStorage } from './port.ts';
import { createS3Storage } from './s3-storage.ts';

export type StorageConfig = Pick<
  Config,
  | 'MEDIA_DIR'
  | 'S3_ENDPOINT'
  | 'S3_BUCKET'
  | 'S3_REGION'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_FORCE_PATH_STYLE'
  | 'S3_PUBLIC_BASE_URL'
>;

export interface ConfiguredStorage {
  storage: ObjectStorage;
  /** Releases the adapter's connections. */
  close(): void;
}

/**
 * The object storage the configuration names: the S3 bucket when S3_BUCKET (and the rest, which
 * `loadConfig` insists on) is set, with the bucket created if missing, else MEDIA_DIR. The API and
 * the worker both call it, so they always agree on where media lives.
 */
export async function createStorage(config: StorageConfig, log: Logger): Promise<ConfiguredStorage> {
  const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = config;
  if (!S3_ENDPOINT || !S3_BUCKET || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) {
    log.info({ mediaDir: config.MEDIA_DIR }, 'media stored on the local filesystem');
    return { storage: createLocalStorage(config.MEDIA_DIR), close: () => undefined };
  }
  const storage = createS3Storage({
    endpoint: S3_ENDPOINT,
    bucket: S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_PUBLIC_BASE_URL ? { publicBaseUrl: config.S3_PUBLIC_BASE_URL } : {}),
  });
  try {
    await storage.ensureBucket();
  } catch (error) {
    storage.close();
    throw error;
  }
  log.info({ endpoint: S3_ENDPOINT, bucket: S3_BUCKET }, 'media stored in S3');
  return { storage, close: () => storage.close() };
}
