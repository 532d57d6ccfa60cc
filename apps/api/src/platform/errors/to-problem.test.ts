import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { problems } from './problem.js';
import { toProblem } from './to-problem.js';

const facts = { instance: '/api/x', correlationId: 'c-1' };

describe('toProblem', () => {
  it('sends our problems as declared, with headers and extensions that cannot overwrite standard members', () => {
    const limited = toProblem(problems.rateLimited(12), facts);
    expect(limited).toMatchObject({ status: 429, headers: { 'Retry-After': '12' }, unexpected: false });
    expect(limited.body).toEqual({
      type: '/problems/rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Rate limit exceeded; retry in 12 s.',
      instance: '/api/x',
      correlationId: 'c-1',
    });
    const sneaky = toProblem(problems.unavailable('down', { status: 200, checks: { db: 'down' } }), facts);
    expect(sneaky.body).toMatchObject({ status: 503, checks: { db: 'down' } });
  });

  it('keeps the message of Nest client errors and names the status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /nope'), facts).body).toMatchObject({
      type: '/problems/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /nope',
    });
    expect(toProblem(new PayloadTooLargeException(), facts).body).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
    expect(toProblem(new BadRequestException(['a is bad', 'b is bad']), facts).body.detail).toBe('a is bad; b is bad');
  });

  it('recognises a malformed JSON body from either adapter', () => {
    const express = new BadRequestException('Unexpected token', { cause: new SyntaxError('Unexpected token') });
    const fastify = new HttpException('Body is not valid JSON', 400, {
      cause: Object.assign(new Error('Body is not valid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
    });
    for (const error of [express, fastify])
      expect(toProblem(error, facts).body).toMatchObject({ type: '/problems/malformed-body', status: 400 });
  });

  it('hides the text of server faults, thrown or deliberate, and flags them for the log', () => {
    for (const error of [
      new Error('password=hunter2 at db.internal'),
      new InternalServerErrorException('SELECT * FROM secrets'),
      'a string',
      null,
    ]) {
      const problem = toProblem(error, facts);
      expect(problem).toMatchObject({ status: 500, unexpected: true });
      expect(JSON.stringify(problem.body)).not.toMatch(/hunter2|secrets|a string/);
    }
  });

  it('uses the status of an unmapped http-errors style client error, showing its message only when exposed', () => {
    expect(toProblem(Object.assign(new Error('request aborted'), { status: 400, expose: true }), facts).body).toMatchObject({
      status: 400,
      detail: 'request aborted',
    });
    expect(toProblem(Object.assign(new Error('internal detail'), { statusCode: 415, expose: false }), facts).body).toMatchObject({
      status: 415,
      detail: 'Unsupported Media Type',
    });
  });
});
