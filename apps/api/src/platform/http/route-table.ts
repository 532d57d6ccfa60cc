import { NotFoundException } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { problems } from '../errors/problem.js';

/** The methods an Allow header lists, in this order. */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REGISTERING = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
}

/**
 * Every route registered on the adapter (Nest's and the ones ops/api-docs.ts adds), recorded as
 * they are registered, so a request no route matched can be told apart: a path that exists
 * with other methods (405 + Allow, whatever the method: a made-up one too, since client input
 * never gets a 5xx such as 501), or no such path (404).
 * Paths are compared segment by segment on the raw path; `:name` matches any one segment.
 */
export class RouteTable {
  private readonly routes: Route[] = [];

  add(method: string, path: string): void {
    this.routes.push({ method: method.toUpperCase(), segments: split(path) });
  }

  /** The methods the path answers, HEAD included wherever GET is; empty for an unknown path. */
  allowed(path: string): string[] {
    const segments = split(path);
    const methods = new Set(this.routes.filter((route) => matches(route.segments, segments)).map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...STANDARD_METHODS].filter((method) => methods.has(method));
  }

  has(method: string, path: string): boolean {
    return this.allowed(path).includes(method.toUpperCase());
  }

  /** The problem for a request no route matched. */
  unrouted(method: string, path: string): Error {
    const allow = this.allowed(path);
    return allow.length > 0 ? problems.methodNotAllowed(method, allow) : new NotFoundException(`Cannot ${method} ${path}`);
  }
}

const split = (path: string): string[] => (path.split('?')[0] ?? '').split('/').slice(1);

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  return (
    pattern.length === segments.length && pattern.every((part, i) => (part.startsWith(':') ? segments[i] !== '' : part === segments[i]))
  );
}

const tables = new WeakMap<AbstractHttpAdapter, RouteTable>();

/** Wraps the adapter's registering methods (before Nest registers anything) to fill its table. */
export function recordRoutes<A extends AbstractHttpAdapter>(adapter: A, table: RouteTable): A {
  const target = adapter as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of REGISTERING) {
    const original = target[name]!.bind(adapter);
    target[name] = (...args: unknown[]) => {
      if (typeof args[0] === 'string') table.add(name, args[0]);
      return original(...args);
    };
  }
  tables.set(adapter, table);
  return adapter;
}

export const routeTableOf = (adapter: AbstractHttpAdapter): RouteTable | undefined => tables.get(adapter);

/** Nest's own answer when no route matched (`Cannot GET /x`), as opposed to a handler's 404 problem. */
export const isRouteNotFound = (exception: unknown): exception is NotFoundException =>
  exception instanceof NotFoundException && /^Cannot \S+ /.test(exception.message);
