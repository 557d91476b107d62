/**
 * Request bodies and answers of the access API (docs/api.md, "Access"): workspaces,
 * members, invitations, notebook sharing and sessions. The server validates with these
 * schemas; the browser types its calls with the inferred types.
 */
import { z } from 'zod';
import { GENERAL_ACCESS, WORKSPACE_ROLES, type GeneralAccess, type NotebookAccess, type WorkspaceRole } from './roles.js';

export const Role = z.enum(WORKSPACE_ROLES);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'must be a domain such as example.com');

export const WorkspaceCreate = z.object({ name: z.string().trim().min(1, 'is required').max(100) });
export const WorkspacePatch = z.object({
  name: z.string().trim().min(1, 'is required').max(100).optional(),
  allowedDomains: z.array(domain).max(50).optional()
});
export const SwitchWorkspace = z.object({ workspaceId: z.string().min(1).max(100) });

export const InvitationCreate = z.object({
  role: Role,
  email: z.string().trim().email('must be an email address').max(254).optional(),
  expiresInHours: z.number().int().min(1).max(24 * 90).default(24 * 7),
  /** How many accounts may join with it: 1 (the default) or more. */
  uses: z.number().int().min(1).max(10_000).default(1)
});

export const MemberPatch = z.object({ role: Role });

export const NotebookAccessBody = z.object({
  general: z.enum(GENERAL_ACCESS),
  grants: z
    .array(z.object({ userId: z.string().min(1).max(100), role: z.enum(['edit', 'view']) }))
    .max(1000)
    .refine((g) => new Set(g.map((x) => x.userId)).size === g.length, 'each person at most once')
});

export const PasswordChange = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().max(1024) });

export type InvitationCreate = z.input<typeof InvitationCreate>;
export type NotebookAccessBody = z.infer<typeof NotebookAccessBody>;

export interface WorkspaceSummary {
  id: string;
  name: string;
  role: WorkspaceRole;
}
export interface WorkspaceDetail extends WorkspaceSummary {
  allowedDomains: string[];
}
export interface Member {
  userId: string;
  name: string;
  email: string;
  role: WorkspaceRole;
}
export interface InvitationView {
  id: string;
  role: WorkspaceRole;
  email: string | null;
  expiresAt: string;
  uses: number;
  used: number;
  createdBy: string | null;
  createdAt: string;
}
export interface InvitationPreview {
  workspace: { id: string; name: string };
  role: WorkspaceRole;
  email: string | null;
  invitedBy: string | null;
}
export interface NotebookAccessView {
  general: GeneralAccess;
  grants: { userId: string; role: NotebookAccess }[];
}
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}
export interface Me {
  user: { id: string; email: string; name: string; instanceAdmin: boolean };
  workspace: WorkspaceSummary | null;
  role: WorkspaceRole | null;
}
