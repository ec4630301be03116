import { Server, createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { answerBadUrlsWithErrorBody, decodablePath } from './bad-url';

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('requests whose path is not valid percent-encoding', () => {
  it('tells the paths the router cannot decode from those it can', () => {
    for (const bad of ['/device/%zz', '/device/%', '/device/%E0%A4%A/user', '/sms/%C0%AE%C0%AE', '/user/foruserid/%ED%A0%80']) {
      expect([bad, decodablePath(bad)]).toEqual([bad, false]);
    }
    for (const fine of ['/device', '/device/%2e%2e', '/device/..%2f', '/user/foruserid/%F0%9F%98%80', '/x?q=%zz', '/x#%', undefined]) {
      expect([fine, decodablePath(fine)]).toEqual([fine, true]);
    }
  });

  // Found by the gateway fuzzer: Fastify answered `/device/%zz/tags` with its own FST_ERR_BAD_URL body.
  it('are answered 400 with the error body of the API; every other request reaches the app', async () => {
    const server: Server = createServer((_req, res) => res.end('app'));
    answerBadUrlsWithErrorBody(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const bad = await get(port, '/device/%zz/tags?x=1');
      expect(bad.status).toBe(400);
      expect(bad.type).toMatch(/^application\/json/);
      expect(JSON.parse(bad.body)).toEqual({ status: 400, code: 'BAD_URL', message: expect.any(String) });
      expect(bad.body).not.toContain('%zz');
      expect(await get(port, '/device/%2e%2e/tags?x=%zz')).toMatchObject({ status: 200, body: 'app' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
