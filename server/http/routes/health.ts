/** `GET /healthz`: 200 when the store answers. */
import type { Router } from '../router.js';
import type { AppContext } from '../../context.js';
import { sendJson } from '../respond.js';
import { allow } from '../../access/rules.js';

export function healthRoutes(router: Router, app: AppContext): void {
  router.add('GET', '/healthz', allow.public('load balancers and monitors; says only whether the store answers'), async ({ res }) => {
    try {
      await app.db.query('select 1');
      sendJson(res, 200, { ok: true, store: app.db.kind, rooms: app.collab.roomCount });
    } catch {
      sendJson(res, 503, { error: { code: 'store_unreachable', message: 'The server cannot reach its store.' } });
    }
  });
}
