/**
 * The fixture every end-to-end file shares: Cairn started through its real entry point on
 * a fresh embedded store, and Chromium; both torn down after the file.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestStore, startApp, type ChildServer, type TestStore } from './server.js';
import { launchBrowser } from './browser.js';
import { invite } from './api.js';

export interface E2eApp {
  /** The running server (available inside tests and hooks). */
  readonly srv: ChildServer;
  /** A fresh browser context (its own cookies) and a page in it. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** A page whose context signed up as `name`: its session cookie is set, and its API token returned. */
  userPage(email: string, name: string, viewport?: { width: number; height: number }): Promise<{ page: Page; token: string }>;
}

/** Register the app and browser for this test file. */
export function useApp(): E2eApp {
  let store: TestStore | undefined;
  let srv: ChildServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let ownerToken: string | undefined;

  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startApp(store);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await srv?.stop();
    await store?.dispose();
  });

  const newContext = async (viewport = { width: 1280, height: 900 }) => {
    const context = await browser!.newContext({ viewport });
    contexts.push(context);
    return context;
  };

  return {
    get srv() {
      if (!srv) throw new Error('the app is not started yet (use it inside tests or hooks)');
      return srv;
    },
    async newPage(viewport) {
      return (await newContext(viewport)).newPage();
    },
    async userPage(email, name, viewport) {
      const context = await newContext(viewport);
      // The first user owns the instance; the others join through its invitations.
      const invitation = ownerToken ? await invite(srv!.base, ownerToken) : undefined;
      const r = await context.request.post(`${srv!.base}/api/auth/signup`, { data: { email, password: 'correct horse battery', name, invitation } });
      expect(r.status()).toBe(201);
      const token = (await r.json()).token as string;
      ownerToken ??= token;
      return { page: await context.newPage(), token };
    }
  };
}
