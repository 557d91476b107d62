/** Websocket close codes of `/collab/:id` (docs/api.md, "Collaboration socket"). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  malformed: 1007,
  policy: 1008,
  tooLarge: 1009,
  internal: 1011,
  /** No token, or one that is not (or no longer) a live session. */
  unauthenticated: 4401,
  /** The user may read the notebook but tried what their role does not allow (or was lowered to view). */
  forbidden: 4403,
  /** No such notebook, or one the user may not read: the same answer for both. */
  notFound: 4404
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];
