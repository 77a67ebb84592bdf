/** Where artifact bytes live. Paths are relative to the store's root, '/'-separated, already checked. */
import type { Readable } from 'node:stream';

export interface ArtifactEntry { name: string; isDir: boolean; size?: number }

export interface ArtifactStore {
  /** Streams bytes into path, replacing what was there; resolves when they are durable. */
  put(path: string, body: Readable): Promise<void>;
  /** undefined when nothing is stored at path. */
  get(path: string): Promise<{ stream: Readable; size: number } | undefined>;
  /** Direct children of a directory, sorted by name; [] when it does not exist. */
  list(path: string): Promise<ArtifactEntry[]>;
  delete(path: string): Promise<void>;
}
