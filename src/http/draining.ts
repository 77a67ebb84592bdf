/**
 * Graceful stop. `server.close()` only stops new connections: a keep-alive client that keeps
 * sending would be served until the force-close. Once stopping, every response in flight closes
 * its connection when it is done, idle connections close at once, and a request that still
 * arrives on an open connection is refused with 503 (retryable, nothing done) and that connection closed.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { TrackbridgeError } from '../core/errors';

export class Draining {
  private server: Server | undefined;
  private readonly inFlight = new Map<Response, Socket>();

  get stopping(): boolean {
    return this.server !== undefined;
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction) => {
    if (this.stopping) {
      res.set('Connection', 'close');
      return next(new TrackbridgeError('UNAVAILABLE', 'The server is shutting down.'));
    }
    this.inFlight.set(res, req.socket);
    res.once('finish', () => {
      // Headers already went out saying keep-alive: end the connection once this response is flushed.
      if (this.stopping && !res.hasHeader('connection')) endAfterFlush(req.socket);
    });
    res.once('close', () => this.inFlight.delete(res));
    next();
  };

  /** Call right after `server.close()`: from now on no connection carries another request. */
  begin(server: Server): void {
    if (this.server) return;
    this.server = server;
    for (const [res, socket] of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      else if (res.writableFinished) endAfterFlush(socket);
    }
    server.closeIdleConnections();
  }
}

function endAfterFlush(socket: Socket): void {
  if (!socket.destroyed) socket.end(() => socket.destroy());
}
