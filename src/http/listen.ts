/** The HTTP server: its timeouts, and binding that fails loudly. */
import http from 'node:http';
import net from 'node:net';

/** Idle keep-alive connections stay open longer than the 60 s idle timeout of common load balancers. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Timeouts against clients that hold a connection without sending:
 * - the request headers must arrive within `clientTimeoutMs` in total;
 * - a connection silent for `clientTimeoutMs` while a request is open (a stalled body, or a
 *   client that stopped reading its answer) is cut;
 * - there is no cap on a whole request, so a multi-GB upload that keeps sending is never cut.
 */
export function createHttpServer(handler: http.RequestListener, clientTimeoutMs: number): http.Server {
  const server = http.createServer({
    requestTimeout: 0,
    headersTimeout: clientTimeoutMs,
    // How often the headers deadline is checked; Node's default (30 s) would let it slip by half again.
    connectionsCheckingInterval: Math.min(clientTimeoutMs, 10_000),
  }, handler);
  server.setTimeout(clientTimeoutMs);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

const CAUSES: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name could not be resolved',
};

export const addressText = (host: string, port: number) => `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;

/** Resolves once the server is bound; rejects with one line naming the address and the cause. */
export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const cause = e.code && CAUSES[e.code] ? `${CAUSES[e.code]} (${e.code})` : e.message;
      reject(new Error(`cannot listen on ${addressText(host, port)}: ${cause}`, { cause: e }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
