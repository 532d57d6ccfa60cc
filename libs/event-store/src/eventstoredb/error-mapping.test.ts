import {
  AccessDeniedError,
  StreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors.js';
import { describeTarget } from './connection.js';
import { toPortError } from './error-mapping.js';

const target = describeTarget('esdb://admin:pa55word@10.0.0.9:2113?tls=false');

/** What the client really rejects with when the server-features probe cannot connect (a raw gRPC ServiceError). */
function rawGrpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

describe('toPortError', () => {
  it('maps a raw gRPC UNAVAILABLE error to EventStoreUnavailableError naming the host, not the password', () => {
    const error = toPortError(rawGrpcError(14, 'No connection established. Last error: connect ECONNREFUSED, auth admin:pa55word'), {
      target,
    });
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(error.message).toContain('esdb://10.0.0.9:2113');
    expect(error.message).toContain('unreachable');
    expect(error.message).not.toContain('pa55word');
  });

  it('maps a deadline and a cluster discovery failure to EventStoreUnavailableError', () => {
    expect(toPortError(rawGrpcError(4, 'Deadline exceeded'), { target })).toBeInstanceOf(EventStoreUnavailableError);
    expect(toPortError(new Error('Failed to discover after 10 attempts.'), { target })).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('treats bad credentials as unavailable but a stream ACL denial as a request error', () => {
    expect(toPortError(rawGrpcError(16, 'Unauthenticated'), { target })).toBeInstanceOf(EventStoreUnavailableError);
    const aclDenied = toPortError(new AccessDeniedError(), { target });
    expect(aclDenied).toBeInstanceOf(AccessDeniedError);
  });

  it("maps the client's wrong-expected-version error, keeping the caller's expectation", () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'org-1', expected: 'any', current: 4n });
    const error = toPortError(clientError, { target, streamName: 'org-1', expected: 2n });
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamName: 'org-1', expected: '2', actual: 4n });
  });

  it('reports a missing stream as no_stream', () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'org-2', expected: 'stream_exists', current: 'no_stream' });
    expect(toPortError(clientError, { target, streamName: 'org-2', expected: 'stream_exists' })).toMatchObject({
      expected: 'stream_exists',
      actual: 'no_stream',
    });
  });

  it('maps not-found and deleted streams to StreamNotFoundError', () => {
    expect(toPortError(new EsdbStreamNotFoundError(undefined, 'org-3'), { target, streamName: 'org-3' })).toEqual(
      new StreamNotFoundError('org-3'),
    );
    expect(toPortError(StreamDeletedError.fromStreamName('org-4'), { target })).toEqual(new StreamNotFoundError('org-4'));
  });

  it('passes other errors through unchanged', () => {
    const bug = new TypeError('boom');
    expect(toPortError(bug, { target })).toBe(bug);
  });
});
