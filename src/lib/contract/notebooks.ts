/** Notebook bodies and answers (docs/api.md, "Routes"); the document itself is src/lib/doc. */
import { z } from 'zod';
import type { CellJSON } from '../doc/schema.js';
import type { NotebookAccess } from './roles.js';
import type { ConnectionName } from './connections.js';

export const NotebookCreateBody = z.object({ title: z.string().trim().max(200).optional() });
export const NotebookRenameBody = z.object({ title: z.string().trim().min(1, 'is required').max(200) });

/** Where a fork comes from. */
export interface ForkedFrom {
  id: string;
  versionId: string | null;
}

/** One row of `GET /api/notebooks`. */
export interface NotebookSummary {
  id: string;
  title: string;
  updatedAt: string;
  forkedFrom: string | null;
  /** The caller's own access. */
  access: NotebookAccess;
}

/** `GET /api/notebooks/:id`: a read-only view of the document, with the caller's access. */
export interface NotebookDetail {
  id: string;
  title: string;
  updatedAt: string;
  /** For a fork: the notebook it was forked from, and the origin's version it now builds on. */
  forkedFrom: ForkedFrom | null;
  cells: CellJSON[];
  /** The notebook's workspace (not necessarily the caller's current one). */
  workspaceId: string;
  access: NotebookAccess;
  canShare: boolean;
  /** The connections the cells run on, by name and kind: readable by anyone who reads the notebook. */
  connections: ConnectionName[];
}
