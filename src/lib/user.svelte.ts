/** The signed-in user, loaded once per page from `GET /api/auth/me`. */
import { goto } from '$app/navigation';
import { auth, redirectIfSignedOut, type User, type WorkspaceRole } from './api';

class CurrentUser {
  user = $state<User | null>(null);
  role = $state<WorkspaceRole | null>(null);
  /** Owners and admins manage connections (the UI hides the controls; the server enforces it). */
  isAdmin = $derived(this.role === 'owner' || this.role === 'admin');

  /** Load the user, or go to the sign-in page (resolving to null) when nobody is signed in. */
  async load(): Promise<User | null> {
    try {
      const me = await auth.me();
      this.user = me.user;
      this.role = me.role;
      return this.user;
    } catch (e) {
      if (redirectIfSignedOut(e)) return null;
      throw e;
    }
  }

  /** End the session and go to the sign-in page. */
  async signOut(): Promise<void> {
    try {
      await auth.logout();
    } finally {
      this.user = null;
      this.role = null;
      await goto('/login');
    }
  }
}

export const currentUser = new CurrentUser();
