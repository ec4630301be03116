import { AddressInfo, Socket, createServer } from 'node:net';
import { HealthRegistry, Logger } from '@omni/observability';
import { strictFake, waitFor } from '@omni/testing';
import { PgListener } from './pg-listener';

describe('PgListener', () => {
  it('fails to start within its connect timeout when the database accepts the connection but never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // read (and drop) what the client sends, so its closing is seen
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const listener = new PgListener(
      `postgres://postgres@127.0.0.1:${port}/omni`,
      strictFake<Logger>('Logger', {}),
      strictFake<HealthRegistry>('HealthRegistry', {}),
      { connectTimeoutMs: 300 },
    );
    try {
      const started = Date.now();
      await expect(listener.onModuleInit()).rejects.toThrow(/timeout|terminated/i);
      expect(Date.now() - started).toBeLessThan(5_000);
      // The half-open connection was closed, not left behind.
      await waitFor(() => sockets.size === 0, { timeoutMs: 3_000, description: 'the server to see the connection closed' });
    } finally {
      await listener.onApplicationShutdown();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
