/**
 * Comments on notebook cells and the notebook's live event channel, as both sides read them.
 * A mention is written in a comment's body as `<@userId>`; the server keeps the ids of
 * workspace members so mentioned, and pages show each as `@Name`.
 */
import { z } from 'zod';

/** Longest comment body, in characters. */
export const COMMENT_MAX_CHARS = 10_000;
/** Longest base64 relative position a range end may be (a Yjs relative position is tens of bytes). */
const RANGE_END_MAX = 400;

/** A base64 string, bounded. */
const Base64 = z
  .string()
  .min(1)
  .max(RANGE_END_MAX)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

/** `POST /api/notebooks/:id/comments`. */
export const CommentCreateBody = z
  .object({
    cellId: z.string().min(1).max(100),
    body: z.string().max(COMMENT_MAX_CHARS, `must be at most ${COMMENT_MAX_CHARS} characters`).refine((s) => s.trim().length > 0, 'must not be empty'),
    parentId: z.string().min(1).max(100).optional(),
    range: z.object({ start: Base64, end: Base64 }).strict().optional()
  })
  .strict();
export type CommentCreate = z.infer<typeof CommentCreateBody>;

/** `PATCH /api/comments/:id`: resolve or reopen the comment's thread. */
export const CommentPatchBody = z.object({ resolved: z.boolean() }).strict();

/** A commented range of a text cell's text: Yjs relative positions, base64-encoded. */
export interface CommentRange {
  start: string;
  end: string;
}

/** One comment of `GET /api/notebooks/:id/comments`. */
export interface CommentView {
  id: string;
  cellId: string | null;
  /** The thread's root comment; null for a root. */
  parentId: string | null;
  /** Null when the author's account was deleted. */
  author: { id: string; name: string } | null;
  body: string;
  /** When it was written (ISO 8601). */
  at: string;
  /** Whether its thread is resolved (a reply carries its root's state). */
  resolved: boolean;
  range?: CommentRange;
  /** The user ids mentioned in the body. */
  mentions: string[];
}

/** `GET /api/notebooks/:id/comments`, oldest first. */
export interface CommentList {
  comments: CommentView[];
}

/** The `<@userId>` mentions in a body, in order, each once. */
export function mentionedIds(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((m) => m[1]))];
}

/** A mention in a body: `<@` a user id `>`. */
export const MENTION = /<@([A-Za-z0-9_-]{1,64})>/g;

/**
 * An event on `GET /api/notebooks/:id/events` (Server-Sent Events, one JSON object per
 * `data:` line). `type` says what changed, so a page refetches only that; the other fields
 * are the event's own. The channel says *that* something changed, never the thing itself:
 * readers fetch it through its own route, which applies its own access rules.
 */
export interface NotebookEvent {
  type: string;
  [key: string]: unknown;
}

/** A comment was added, or a thread resolved or reopened. */
export interface CommentsEvent extends NotebookEvent {
  type: 'comments';
  change: 'added' | 'resolved' | 'reopened';
  commentId: string;
  cellId: string | null;
  /** Set when the comment belongs to a proposal on the notebook. */
  proposalId: string | null;
}
