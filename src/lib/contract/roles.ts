/**
 * Who may do what, as both sides name it (docs/api.md, "Access"). Host-free: the browser
 * imports it to show and hide actions, the server to decide them.
 */

/** Roles in a workspace, strongest first. */
export const WORKSPACE_ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Whether `role` is `min` or stronger. */
export function roleAtLeast(role: WorkspaceRole | null | undefined, min: WorkspaceRole): boolean {
  return role != null && WORKSPACE_ROLES.indexOf(role) <= WORKSPACE_ROLES.indexOf(min);
}

/** Owners and admins manage members, invitations, connections and settings. */
export function isManager(role: WorkspaceRole | null | undefined): boolean {
  return roleAtLeast(role, 'admin');
}

/** What members of a notebook's workspace get without a grant of their own. */
export const GENERAL_ACCESS = ['edit', 'view', 'none'] as const;
export type GeneralAccess = (typeof GENERAL_ACCESS)[number];

/** What one person may do in one notebook. */
export type NotebookAccess = 'edit' | 'view';
