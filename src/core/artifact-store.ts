/**
 * Where artifact bytes live. Paths are relative to the store's root, '/'-separated, and pass
 * checkArtifactPath; a path the store cannot hold, or one that would lead out of its root, is
 * refused with an INVALID_ARGUMENT error, never an I/O error.
 */
import type { Readable } from 'node:stream';
import { TrackbridgeError } from './errors';
import { clip } from './text';

/**
 * A path the store refuses, as INVALID_ARGUMENT. The store knows only its own paths; the core
 * re-issues the refusal naming the path as the client wrote it (below a run's root, say), so
 * where an object's files sit in the store never reaches a message.
 */
export class ArtifactPathRefusal extends TrackbridgeError {
  constructor(
    readonly path: string,
    /** What follows the quoted path: ` is a folder; …`. */
    readonly reason: string,
  ) {
    super('INVALID_ARGUMENT', `Invalid artifact path: '${clip(path)}'${reason}`);
  }

  /** The same refusal of `shown`. */
  naming(shown: string): ArtifactPathRefusal { return new ArtifactPathRefusal(shown, this.reason); }
}

export interface ArtifactEntry { name: string; isDir: boolean; size?: number }

/** A file being assembled from parts, as its staging records it. */
export interface StagedUpload {
  /** Where the assembled file goes. */
  target: string;
  /** How many parts the upload was opened for; parts are numbered 1..parts. */
  parts: number;
  /** A complete has claimed the upload and is assembling its file: no part, complete or abort is taken. */
  completing?: boolean;
}

/** One part of a completed upload: its number and the etag its upload was answered with. */
export interface StagedPartRef { part: number; etag: string }

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

  /**
   * Multipart uploads. Parts are staged inside the store, where no artifact path or listing
   * reaches, so every server process sharing the store sees the same uploads. beginUpload
   * records the target and the number of parts and returns an id no one can guess; uploads
   * untouched for longer than the store's expiry are removed in the background. The store may
   * bound the uploads open at once, refusing more with a client error (not one a client retries).
   */
  beginUpload(target: string, parts: number): Promise<string>;
  /** The upload's record; undefined when the id is unknown (never begun, completed, aborted or expired). */
  stagedUpload(id: string): Promise<StagedUpload | undefined>;
  /**
   * Stages one part (any number the core allows), replacing an earlier copy of that number once
   * the new one is whole; resolves with its etag. A body that fails midway stages nothing.
   * An unknown upload is NOT_FOUND.
   */
  putPart(id: string, part: number, body: AsyncIterable<Uint8Array>): Promise<string>;
  /**
   * Streams the named parts, in the order given, into the upload's target, which appears whole
   * or not at all; then the staging is removed. A part that is not staged with that etag refuses
   * the whole (INVALID_ARGUMENT) and leaves every staged part as it was. An unknown upload is NOT_FOUND.
   * One complete at a time: a second one, or an abort, while the first assembles is NOT_FOUND
   * ("being completed"), and the first one's file stands.
   */
  completeUpload(id: string, parts: readonly StagedPartRef[]): Promise<void>;
  /** Removes the upload's staged parts and its record; an unknown upload is NOT_FOUND. */
  abortUpload(id: string): Promise<void>;

  /**
   * The store path of an absolute local folder (already decoded, no '.' or '..' names) when it
   * lies inside the store's root once every link is resolved; undefined otherwise, and always for
   * a store that is not a folder on this machine.
   */
  storePathOfLocal(absolute: string): Promise<string | undefined>;
}
