/**
 * A frozen engine reduced to its essence: a TCP server on 127.0.0.1 that accepts every
 * connection, reads every byte and never answers. It counts the HTTP requests that reach it (one
 * request line per attempt) and the connections still open, so a test can see whether a client
 * gave up on its attempt or kept it running, and whether it sent another one.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

const REQUEST_LINE = /(?:^|\r\n)(?:GET|PUT|POST|HEAD|DELETE) \S+ HTTP\/1\.1\r\n/g;

export class SilentEndpoint {
  /** HTTP requests received so far (request lines seen on any connection). */
  requests = 0;
  readonly #open = new Set<Socket>();
  readonly #server: Server;
  #closedWaiters: (() => void)[] = [];

  constructor() {
    this.#server = createServer((socket) => {
      this.#open.add(socket);
      // The whole stream of the connection, so a request line split across chunks counts once.
      let received = '';
      let counted = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        const seen = received.match(REQUEST_LINE)?.length ?? 0;
        this.requests += seen - counted;
        counted = seen;
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#open.delete(socket);
        if (this.#open.size === 0) for (const resolve of this.#closedWaiters.splice(0)) resolve();
      });
    });
  }

  /** Starts listening; resolves to the endpoint URL. */
  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  /** Connections the clients have not closed yet. */
  get openConnections(): number {
    return this.#open.size;
  }

  /** Resolves once every accepted connection has been closed by its client. */
  allClosed(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.#open) socket.destroy();
    this.#server.close();
    await once(this.#server, 'close');
  }
}
