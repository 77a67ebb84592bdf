/**
 * Where artifact bytes live. Paths are relative to the store's root, '/'-separated, and pass
 * checkArtifactPath; a path the store cannot hold, or one that would lead out of its root, is
 * refused with an INVALID_ARGUMENT error, never an I/O error.
 */
import type { Readable } from 'node:stream';

export interface ArtifactEntry { name: string; isDir: boolean; size?: number }

export interface ArtifactStore {
  /**
   * Streams bytes into path, replacing what was there; resolves when they are durable. A body
   * that fails midway leaves nothing behind (not even a new folder) and the old bytes in place.
   * Refused: the root itself, a path where a folder is, a path under a file. A body that fails
   * with a TrackbridgeError (a cap it passed) is refused with that error.
   */
  put(path: string, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** undefined when nothing is stored at path; a folder is refused. */
  get(path: string): Promise<{ stream: Readable; size: number } | undefined>;
  /** Direct children of a folder, sorted by name; [] when it does not exist or is a file (as MLflow answers). */
  list(path: string): Promise<ArtifactEntry[]>;
  /** Removes a file or a whole folder; nothing there is not an error (as MLflow answers). */
  delete(path: string): Promise<void>;
}
