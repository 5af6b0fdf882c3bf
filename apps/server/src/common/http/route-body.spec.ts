import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcceptsBodyTypes, installRouteBodyHandling, RouteBody } from './route-body.js';

@Controller('api/probe')
class ProbeController {
  @Post('json')
  @HttpCode(200)
  json(@Body() body: unknown): unknown {
    return { body };
  }

  @Post('text-too')
  @HttpCode(200)
  @AcceptsBodyTypes('text/plain')
  textToo(@Body() body: unknown): unknown {
    return { body };
  }

  @Post('relabelled')
  @HttpCode(200)
  @RouteBody('text/plain')
  relabelled(@Body() body: unknown): unknown {
    return { body };
  }
}

describe('route body handling', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const adapter = new FastifyAdapter();
    installRouteBodyHandling(adapter.getInstance());
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = (url: string, contentType: string, payload: string) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });

  it('answers 415 for a non-JSON body on a JSON route, however the path is spelled', async () => {
    expect((await post('/api/probe/json', 'text/plain', 'x')).statusCode).toBe(415);
    expect((await post('/%61pi/probe/js%6fn', 'text/plain', 'x')).statusCode).toBe(415);
    expect((await post('/api/probe/json', 'application/json', '{"a":1}')).json()).toEqual({ body: { a: 1 } });
  });

  it('lets a route accept the media types it lists, and only those', async () => {
    expect((await post('/api/probe/text-too', 'text/plain', 'x')).json()).toEqual({ body: 'x' });
    expect((await post('/api/probe/text-too', 'application/xml', '<x/>')).statusCode).toBe(415);
  });

  it('relabels the body of a @RouteBody route for its parser, whatever the client sent', async () => {
    expect((await post('/api/probe/relabell%65d', 'application/json', '{"a":1}')).json()).toEqual({ body: '{"a":1}' });
  });
});
