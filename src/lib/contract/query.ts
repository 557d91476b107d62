/** `POST /api/query`'s body (docs/api.md): validated by the server, typed for the browser's query client. */
import { z } from 'zod';
import { INPUT_NAME, InputBinding } from './inputs.js';
import { RunProvenance } from './provenance.js';

const Param = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const QueryBody = z.object({
  connectionId: z.string().min(1).max(100),
  sql: z.string().min(1, 'is required').max(1_000_000),
  /** Positional parameters, `$1`…, always bound. */
  params: z.array(Param).max(1000).default([]),
  /**
   * Input values the SQL reads as `$name` (README.md, "Inputs"), each with its input type:
   * the server rewrites `$name` into the connection's placeholders and binds the value.
   */
  inputs: z
    .record(z.string().regex(INPUT_NAME, 'must be an input name'), InputBinding)
    .refine((r) => Object.keys(r).length <= 200, 'at most 200 inputs')
    .optional(),
  notebookId: z.string().max(100).optional(),
  /** A cell of `notebookId`. */
  cellId: z.string().max(100).optional(),
  /** The shared run this request belongs to: every open copy of a notebook joins one execution. */
  runToken: z.string().max(200).optional(),
  /** Seconds: a cached result at most this old answers the query. */
  maxAge: z.number().min(0).optional(),
  /** Answer only from the cache (a notebook's readers): `404 not_cached` otherwise. */
  cacheOnly: z.boolean().optional(),
  runId: z.uuid().optional(),
  /** The notebook result the run computes (with `notebookId` and `cellId`): its provenance then resolves by result key. */
  provenance: RunProvenance.optional()
});
export type QueryBody = z.input<typeof QueryBody>;
