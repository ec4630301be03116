import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { CONNECT_TIMEOUT_MS, clientOptions, dropDatabase, ensureDatabase } from './database';

/** A TCP server that accepts connections and never answers: a PostgreSQL that hangs. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // read (and drop) what the client sends, so its closing is seen
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres:pw@127.0.0.1:${port}/never_created`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('one-off PostgreSQL clients never hang', () => {
  it('connect with a timeout and TCP keep-alive; a statement timeout only when asked', () => {
    expect(clientOptions('postgres://h/db')).toEqual({
      connectionString: 'postgres://h/db',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    expect(clientOptions('postgres://h/db', { connectTimeoutMs: 500, statementTimeoutMs: 1_000 })).toMatchObject({
      connectionTimeoutMillis: 500,
      statement_timeout: 1_000,
      query_timeout: 6_000,
    });
  });

  it('ensureDatabase against a server that never answers fails after the connect timeout, naming the server without its password', async () => {
    const server = await silentServer();
    try {
      const started = Date.now();
      const failure = await ensureDatabase(server.url, { connectTimeoutMs: 300 }).then(
        () => new Error('connected to a silent server'),
        (error: unknown) => error as Error,
      );
      expect(failure.message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres: /);
      expect(failure.message).not.toContain(':pw@');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });

  it('dropDatabase fails the same way', async () => {
    const server = await silentServer();
    try {
      await expect(dropDatabase(server.url, { connectTimeoutMs: 300 })).rejects.toThrow(/^cannot connect to PostgreSQL/);
    } finally {
      await server.close();
    }
  });
});
