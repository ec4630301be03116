import { Body, Controller, Delete, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { acceptEmptyJsonBodies } from './empty-json-body';

@Controller()
class EchoController {
  @Delete('logout')
  logout(@Body() body: unknown) {
    return { received: body === undefined ? 'nothing' : body };
  }

  @Post('echo')
  echo(@Body() body: unknown) {
    return { received: body === undefined ? 'nothing' : body };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('acceptEmptyJsonBodies', () => {
  let app: NestFastifyApplication;

  async function start(withEmptyBodies: boolean): Promise<NestFastifyApplication> {
    const created = await NestFactory.create<NestFastifyApplication>(EchoModule, new FastifyAdapter(), { logger: false });
    if (withEmptyBodies) acceptEmptyJsonBodies(created);
    await created.init();
    await created.getHttpAdapter().getInstance().ready();
    return created;
  }

  const send = (method: 'DELETE' | 'POST', url: string, payload?: string, headers: Record<string, string> = {}) =>
    app.getHttpAdapter().getInstance().inject({ method, url, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, payload });

  afterEach(async () => {
    await app.close();
  });

  it("Fastify's own parser refuses the article's bodiless JSON DELETE (what this replaces)", async () => {
    app = await start(false);
    expect((await send('DELETE', '/logout')).statusCode).toBe(400);
  });

  it('takes an empty JSON body as no body, and parses every other body as before', async () => {
    app = await start(true);
    const logout = await send('DELETE', '/logout');
    expect(logout.statusCode).toBe(200);
    expect(logout.json()).toEqual({ received: 'nothing' });

    const echoed = await send('POST', '/echo', '{"userID":"U1"}');
    expect(echoed.json()).toEqual({ received: { userID: 'U1' } });

    expect((await send('DELETE', '/logout', undefined, { 'content-length': '0' })).json()).toEqual({ received: 'nothing' });

    expect((await send('POST', '/echo', '{"userID":')).statusCode).toBe(400);
    expect((await send('POST', '/echo', ' ')).statusCode).toBe(400);
    // The default parser's prototype-poisoning protection is kept.
    expect((await send('POST', '/echo', '{"__proto__":{"admin":true}}')).statusCode).toBe(400);
  });
});
