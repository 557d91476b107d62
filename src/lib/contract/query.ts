/** `POST /api/query`'s body (docs/api.md): validated by the server, typed for the browser's query client. */
import { z } from 'zod';

const Param = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const QueryBody = z.object({
  connectionId: z.string().min(1).max(100),
  sql: z.string().min(1, 'is required').max(1_000_000),
  /** Positional parameters, `$1`…, always bound. */
  params: z.array(Param).max(1000).default([]),
  notebookId: z.string().max(100).optional(),
  /** A cell of `notebookId`. */
  cellId: z.string().max(100).optional(),
  /** The shared run this request belongs to: every open copy of a notebook joins one execution. */
  runToken: z.string().max(200).optional(),
  /** Seconds: a cached result at most this old answers the query. */
  maxAge: z.number().min(0).optional(),
  /** Answer only from the cache (a notebook's readers): `404 not_cached` otherwise. */
  cacheOnly: z.boolean().optional(),
  runId: z.uuid().optional()
});
export type QueryBody = z.input<typeof QueryBody>;
