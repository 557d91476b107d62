/** History, forks and proposals: bodies and answers (README.md, "History, forks and proposals"). */
import { z } from 'zod';
import type { CellJSON } from '../doc/schema.js';

/** What a version changed since the one before it. */
export interface VersionSummary {
  added: number;
  removed: number;
  changed: number;
  moved: number;
}

export type VersionKind = 'auto' | 'named' | 'restore' | 'merge' | 'fork' | 'pull';

/** One row of `GET /api/notebooks/:id/versions`, newest first. */
export interface VersionInfo {
  id: string;
  /** 1, 2, 3… in the order versions were cut. */
  seq: number;
  at: string;
  kind: VersionKind;
  authors: string[];
  label?: string;
  summary: VersionSummary;
}

/** An author as the history panel shows them. */
export interface HistoryPerson {
  id: string;
  name: string;
}

export interface VersionList {
  versions: VersionInfo[];
  /** Names of everyone listed as an author. */
  people: HistoryPerson[];
}

export const VersionCreateBody = z.object({ label: z.string().trim().min(1, 'is required').max(200) });
export const RestoreBody = z.object({ versionId: z.string().min(1).max(64) });

export type CellChangeKind = 'added' | 'removed' | 'changed' | 'moved' | 'renamed';

/** One cell of a diff: `change` is the main one; `changes` lists all (a cell may be renamed and changed). */
export interface CellChange {
  id: string;
  name: string;
  change: CellChangeKind;
  changes: CellChangeKind[];
  before?: CellJSON;
  after?: CellJSON;
  /**
   * In a proposal: the origin deleted a cell the fork changed, or changed one the fork
   * deleted. Merging lets the deletion win unless the cell is kept.
   */
  conflict?: 'deleted-in-origin' | 'changed-in-origin';
}

export interface NotebookDiff {
  cells: CellChange[];
}

/** Who last changed a cell, and who wrote each line of its source. */
export interface CellAttribution {
  cellId: string;
  /** The user who last changed it (null: unknown, e.g. written before attribution was kept). */
  by: string | null;
  /** When the version that first held that change was cut; null while no version holds it yet. */
  at: string | null;
  /** For sql and js cells: the author of each line of the source, in order. */
  lines?: (string | null)[];
}

export interface AttributionView {
  cells: CellAttribution[];
  people: HistoryPerson[];
}

export const ForkBody = z.object({ workspaceId: z.string().min(1).max(64).optional() });

export interface ForkInfo {
  id: string;
  title: string;
  owner: string;
  ownerName?: string;
}

/** Where a fork stands against its origin. */
export interface ForkStatus {
  origin: { id: string; title: string } | null;
  versionId: string | null;
  /** Origin versions cut since the fork last took the origin's changes. */
  behind: number;
  /** Whether the fork has changes of its own since the fork point. */
  ahead: boolean;
}

export const ProposalCreateBody = z.object({
  title: z.string().trim().min(1, 'is required').max(200),
  description: z.string().max(20_000).optional()
});

export const ProposalMergeBody = z.object({
  /** Cells the origin deleted that the fork changed, to bring back instead of letting the deletion win. */
  keep: z.array(z.string().min(1).max(64)).max(1000).optional()
});

export type ProposalState = 'open' | 'merged' | 'closed';

export interface ProposalSummary {
  id: string;
  number: number;
  title: string;
  state: ProposalState;
  author: string | null;
  authorName?: string;
  fork: string;
  origin: string;
  createdAt: string;
}

export interface ProposalDetail extends ProposalSummary {
  description: string;
  diff: NotebookDiff;
  mergedBy: string | null;
  mergeVersionId: string | null;
  /** The caller may merge or close it. */
  canMerge: boolean;
  canClose: boolean;
  originTitle: string;
  forkTitle: string;
}

/** `POST /api/proposals/:id/comments`: the proposal's discussion, optionally about one of its cells. */
export const ProposalCommentBody = z
  .object({
    body: z.string().max(10_000, 'must be at most 10000 characters').refine((s) => s.trim().length > 0, 'must not be empty'),
    parentId: z.string().min(1).max(100).optional(),
    cellId: z.string().min(1).max(100).optional()
  })
  .strict();
