/** Writing an incoming body to a new file of a local store. */
import fsp from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { invalid, TrackbridgeError } from '../core/errors';

/**
 * Streams body into a new file and makes it durable, showing each chunk to `seen` (a hash) on
 * the way; a body that fails midway is the client's fault, in the body's own words when it
 * gives a reason (a cap it passed, a busy server).
 */
export async function receive(body: AsyncIterable<Uint8Array>, file: string, seen?: (chunk: Uint8Array) => void): Promise<void> {
  const fh = await fsp.open(file, 'wx');
  let fileFailed = false;
  try {
    try {
      await pipeline(body, async (chunks: AsyncIterable<Uint8Array>) => {
        for await (const chunk of chunks) {
          seen?.(chunk);
          try {
            await fh.write(chunk);
          } catch (e) {
            fileFailed = true;
            throw e;
          }
        }
      });
    } catch (e) {
      if (fileFailed || e instanceof TrackbridgeError) throw e;
      throw invalid('The upload ended before all of its bytes arrived');
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}
