/**
 * A small method-and-path router: `/api/notebooks/:id` patterns, each route with the access
 * rule that guards it (server/access/rules.ts). A route cannot be registered without one,
 * and the route table is readable, so tests can check every route against every kind of
 * caller.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Granted, Rule } from '../access/rules.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

export type Handler<R extends Rule = Rule> = (ctx: RequestContext & Granted<R>) => Promise<void>;

/** Settles a rule for a request (server/access/rules.ts `authorize`), or throws the error to answer with. */
export type Authorizer = <R extends Rule>(rule: R, ctx: RequestContext) => Promise<Granted<R>>;

/** A registered route, as the route table lists it. */
export interface RouteInfo {
  method: string;
  path: string;
  rule: Rule;
}

interface Route extends RouteInfo {
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** What `match` found: a route to run, a path known under other methods, a malformed path, or nothing. */
export type Match = { run: (ctx: Omit<RequestContext, 'params'>) => Promise<void> } | 'method' | 'bad_path' | null;

export class Router {
  private readonly table: Route[] = [];

  constructor(private readonly authorizer: Authorizer) {}

  add<R extends Rule>(method: string, path: string, rule: R, handler: Handler<R>): this {
    if (!rule || typeof rule !== 'object' || !('kind' in rule)) throw new Error(`route ${method} ${path} has no access rule`);
    const keys: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.table.push({ method, path, rule, pattern: new RegExp(`^${source}/?$`), keys, handler: handler as Handler });
    return this;
  }

  /** Every route with its rule. */
  routes(): RouteInfo[] {
    return this.table.map(({ method, path, rule }) => ({ method, path, rule }));
  }

  match(method: string, pathname: string): Match {
    let pathMatched = false;
    for (const route of this.table) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      try {
        route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1])));
      } catch {
        return 'bad_path'; // malformed percent-encoding
      }
      return {
        run: async (ctx) => {
          const full = { ...ctx, params };
          const granted = await this.authorizer(route.rule, full);
          await route.handler({ ...full, ...granted });
        }
      };
    }
    return pathMatched ? 'method' : null;
  }
}
