import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { fetchText } from './http';

/** An HTTP server: `/hang` never answers, `/slow-body` sends its headers and never ends the body, anything else answers at once. */
async function server(): Promise<{ url: string; close(): Promise<void> }> {
  const http: Server = createServer((request, response) => {
    if (request.url === '/hang') return;
    if (request.url === '/slow-body') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"partial":');
      return;
    }
    response.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

describe('fetchText: the CLI and npm start never wait forever on the gateway', () => {
  let gateway: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => {
    gateway = await server();
  });
  afterAll(() => gateway.close());

  it('returns the status and the body of an answer within the deadline', async () => {
    expect(await fetchText(`${gateway.url}/admin/applications`, { method: 'POST' }, 5_000)).toEqual({ status: 201, ok: true, text: '{"ok":true}' });
  });

  it('fails with a clear error, naming the request and the deadline, when no answer comes', async () => {
    const started = Date.now();
    await expect(fetchText(`${gateway.url}/hang`, { method: 'DELETE' }, 300)).rejects.toThrow(`DELETE ${gateway.url}/hang: no answer within 0.3 s`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('counts reading the body in the deadline', async () => {
    await expect(fetchText(`${gateway.url}/slow-body`, {}, 300)).rejects.toThrow(`GET ${gateway.url}/slow-body: no answer within 0.3 s`);
  });
});
