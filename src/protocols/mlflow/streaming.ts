/**
 * Answers too large to build in memory: the items of one repeated field arrive in chunks and are
 * written as they come, with the socket's backpressure; the message's other fields follow them.
 * The text is the same as writeJson(encodeMessage(...)) of the whole message would print.
 */
import type { Response } from 'express';
import type protobuf from 'protobufjs';
import { encodeMessage, writeJson } from './codec';

/** Response message R with its repeated field F sent in chunks. */
export class StreamedMessage<R extends object = any, F extends keyof R & string = keyof R & string> {
  constructor(
    /** The repeated field the chunks fill; it must be the message's first field (it is printed first). */
    readonly field: F,
    readonly chunks: AsyncIterable<NonNullable<R[F]>>,
    /** The other fields, asked for once the chunks are done. */
    readonly rest: () => Omit<R, F>,
  ) {}
}

export async function* mapChunks<T, U>(chunks: AsyncIterable<T[]>, map: (item: T) => U): AsyncGenerator<U[]> {
  for await (const chunk of chunks) yield chunk.map(map);
}

/** Resolves when the response can take more, or when the client has gone. */
function writable(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Errors before the first item still get MLflow's error answer; a failure later can only cut
 * the connection. A client that goes away ends the loop, which ends the read behind it.
 */
export async function writeStreamed(res: Response, type: protobuf.Type, msg: StreamedMessage, strict = false): Promise<void> {
  const field = type.fields[msg.field];
  field.resolve();
  const itemType = field.resolvedType as protobuf.Type;
  let gone = false;
  res.once('close', () => { gone = true; });
  let opened = false;
  for await (const chunk of msg.chunks as AsyncIterable<Record<string, unknown>[]>) {
    if (gone) break;
    if (chunk.length === 0) continue;
    if (!opened) res.status(200).type('application/json');
    const items = writeJson(chunk.map((item) => encodeMessage(itemType, item, strict)));
    const ok = res.write(`${opened ? ',' : `{"${msg.field}":[`}${items.slice(1, -1)}`);
    opened = true;
    if (!ok) await writable(res);
    if (gone) break;
  }
  if (gone) return;
  const rest = writeJson(encodeMessage(type, { ...(msg.rest() as Record<string, unknown>), [msg.field]: undefined }, strict)).slice(1, -1);
  if (!opened) res.status(200).type('application/json');
  res.end(opened ? `]${rest ? `,${rest}` : ''}}` : `{${rest}}`);
}
