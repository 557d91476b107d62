/** The signed-in user, loaded once per page from `GET /api/auth/me`. */
import { goto } from '$app/navigation';
import { auth, redirectIfSignedOut, type User } from './api';

class CurrentUser {
  user = $state<User | null>(null);

  /** Load the user, or go to the sign-in page (resolving to null) when nobody is signed in. */
  async load(): Promise<User | null> {
    try {
      this.user = await auth.me();
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
      await goto('/login');
    }
  }
}

export const currentUser = new CurrentUser();
