import { createServer } from 'net';

/**
 * A port p >= from with p and p + 1 (the controller) both free on 127.0.0.1, for a broker of a
 * test's own. Starts from TEST_KAFKA_PORT + 2 when set, so that parallel runs given different
 * ports also look for free ones in different places.
 */
export async function findFreePortPair(from = Number(process.env.TEST_KAFKA_PORT || 19092) + 2): Promise<number> {
  for (let port = from; port < from + 200; port += 2) {
    if ((await isPortFree(port)) && (await isPortFree(port + 1))) return port;
  }
  throw new Error(`no free port pair from ${from}`);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
