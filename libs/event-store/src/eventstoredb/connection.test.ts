import { describe, expect, it } from '@jest/globals';
import { createClient, describeTarget, InvalidConnectionStringError, scrub } from './connection.js';

describe('EventStoreDB connection string handling', () => {
  it('shows the address without the credentials', () => {
    const target = describeTarget('esdb://admin:s3cr%40t@db-1:2113,db-2:2113?tls=false');
    expect(target.display).toBe('esdb://db-1:2113,db-2:2113?tls=false');
    expect(scrub('failed for admin:s3cr%40t and s3cr@t', target)).toBe('failed for *** and ***');
  });

  it('keeps a string without credentials as it is', () => {
    expect(describeTarget('esdb://localhost:2113?tls=false')).toEqual({ display: 'esdb://localhost:2113?tls=false', secrets: [] });
  });

  it('rejects a malformed string with a typed error that does not contain the password', () => {
    const attempt = () =>
      createClient('esdb://admin:hunter2@localhost:2113?tls=maybe', describeTarget('esdb://admin:hunter2@localhost:2113?tls=maybe'));
    expect(attempt).toThrow(InvalidConnectionStringError);
    expect(attempt).toThrow(/tls/);
    expect(attempt).not.toThrow(/hunter2/);
  });
});
