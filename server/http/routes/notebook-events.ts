/**
 * `GET /api/notebooks/:id/events`: the notebook's live event channel for its readers, as
 * Server-Sent Events (server/notebooks/events.ts says what events carry). The stream ends
 * when the notebook is deleted, when the reader loses access (checked at once when sharing
 * or membership changes, and again at every heartbeat) or when their session ends (at once
 * on sign-out, else at the next heartbeat).
 */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { allow } from '../../access/rules.js';
import { EventStream } from '../event-stream.js';
import type { EventListener } from '../../notebooks/events.js';

/** How often an idle stream gets a heartbeat and its reader's access is checked again. */
export const EVENTS_HEARTBEAT_MS = 15_000;

export function notebookEventRoutes(router: Router, app: AppContext): void {
  const { events } = app;

  router.add('GET', '/api/notebooks/:id/events', allow.notebook('read'), async ({ req, res, params, session }) => {
    let stream: EventStream | null = null;
    const listener: EventListener = {
      userId: session.user.id,
      sessionId: session.id,
      send: (event) => stream?.send(event),
      end: (reason) => stream?.end(reason)
    };
    // Subscribing first: a refusal (too many streams) still answers as a JSON error.
    const unsubscribe = events.subscribe(params.id, listener);
    stream = new EventStream(req, res, {
      heartbeatMs: EVENTS_HEARTBEAT_MS,
      stillValid: () => events.stillReads(listener, params.id),
      onEnd: unsubscribe
    });
  });
}
