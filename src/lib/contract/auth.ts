/** Sign-up and login bodies (docs/api.md, "Routes"): validated by the server, typed for the browser. */
import { z } from 'zod';

export const SignupBody = z.object({
  email: z.string().trim().email('must be an email address').max(254),
  // Length and commonness are checked by server/auth/password-policy.ts, with clearer messages.
  password: z.string().max(1024),
  name: z.string().trim().min(1, 'is required').max(100),
  /** An invitation token: joins its workspace with its role. */
  invitation: z.string().min(1).max(100).optional()
});
export type SignupBody = z.input<typeof SignupBody>;

export const LoginBody = z.object({
  email: z.string().trim().min(1, 'is required').max(254),
  password: z.string().min(1, 'is required').max(1024)
});
export type LoginBody = z.input<typeof LoginBody>;
