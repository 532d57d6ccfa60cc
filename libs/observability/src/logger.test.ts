import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger, serializeError } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

describe('createLogger', () => {
  it('writes JSON lines and censors credentials and personal fields at any of the first levels', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        authorization: 'Bearer top-level-token',
        req: { headers: { authorization: 'Bearer nested-token', cookie: 'sid=1' } },
        user: { id: 'u-1', email: 'jane@example.com', phone: '+1555' },
        token: 'raw-jwt',
      },
      'hello',
    );
    const line = lines[0]!;
    expect(JSON.parse(line)).toMatchObject({
      msg: 'hello',
      user: { id: 'u-1', email: '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
    });
    expect(line).not.toMatch(/top-level-token|nested-token|sid=1|jane@example.com|\+1555|raw-jwt/);
  });

  it('logs errors without driver detail (row values)', () => {
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
      detail: 'Key (email)=(jane@example.com) already exists.',
    });
    expect(serializeError(pgError)).toMatchObject({ type: 'Error', code: '23505' });
    const { lines, logger } = capture();
    logger.error({ err: pgError }, 'failed');
    expect(lines[0]).not.toContain('jane@example.com');
    expect(JSON.parse(lines[0]!).err.code).toBe('23505');
  });
});
