/** Who else has the notebook open, from awareness, as runes for the header's avatars. */
import type { Awareness } from 'y-protocols/awareness';

/** The `user` field every client puts in its awareness state (the editor bindings read it). */
export interface AwarenessUser {
  id: string;
  name: string;
  color: string;
  colorLight: string;
}

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  self: boolean;
}

function isUser(value: unknown): value is AwarenessUser {
  const v = value as Partial<AwarenessUser> | null;
  return !!v && typeof v.name === 'string' && typeof v.color === 'string';
}

export class Presence {
  peers = $state.raw<Peer[]>([]);
  #awareness: Awareness;
  #onChange = () => this.#read();

  constructor(awareness: Awareness) {
    this.#awareness = awareness;
    awareness.on('change', this.#onChange);
    this.#read();
  }

  #read(): void {
    const self = this.#awareness.clientID;
    const peers: Peer[] = [];
    const seenUsers = new Set<string>();
    for (const [clientId, state] of this.#awareness.getStates()) {
      const user = (state as { user?: unknown }).user;
      if (!isUser(user)) continue;
      // One avatar per person, even with the notebook open in several tabs.
      const key = user.id ?? `client:${clientId}`;
      if (seenUsers.has(key) && clientId !== self) continue;
      seenUsers.add(key);
      peers.push({ clientId, name: user.name, color: user.color, self: clientId === self });
    }
    peers.sort((a, b) => Number(b.self) - Number(a.self));
    this.peers = peers;
  }

  destroy(): void {
    this.#awareness.off('change', this.#onChange);
  }
}
