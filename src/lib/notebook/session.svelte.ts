/**
 * An open notebook: its Yjs document, the websocket provider, and the rune states the page
 * renders from. Created when the notebook page mounts, destroyed when it unmounts.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { User } from '$lib/api';
import { userColor } from '$lib/user-color';
import { Connection } from './connection.svelte';
import { NotebookState } from './notebook-state.svelte';
import { Presence, type AwarenessUser } from './presence.svelte';
import { RunStatus } from './run-status.svelte';
import { Toasts } from './toast.svelte';
import { createStructuralUndo } from './undo';

/** The websocket endpoint of the collaboration server, on this page's origin. */
export function collabUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

export class NotebookSession {
  readonly id: string;
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly connection: Connection;
  readonly state: NotebookState;
  readonly presence: Presence;
  readonly undo: Y.UndoManager;
  readonly status = new RunStatus();
  readonly toasts = new Toasts();

  constructor(id: string, user: User) {
    this.id = id;
    this.provider = new WebsocketProvider(collabUrl(), id, this.doc);
    const me: AwarenessUser = { id: user.id, name: user.name || user.email, ...userColor(user.id) };
    this.provider.awareness.setLocalStateField('user', me);
    this.connection = new Connection(this.provider);
    this.state = new NotebookState(this.doc);
    this.presence = new Presence(this.provider.awareness);
    this.undo = createStructuralUndo(this.doc);
  }

  get awareness() {
    return this.provider.awareness;
  }

  destroy(): void {
    this.presence.destroy();
    this.state.destroy();
    this.connection.destroy();
    this.undo.destroy();
    this.provider.destroy();
    this.doc.destroy();
  }
}
