/** Workspace roles as people read them, and who may hand out which. */
import { WORKSPACE_ROLES, type WorkspaceRole } from './contract/index.js';

/** Every role, most rights first. */
export const ROLES: readonly WorkspaceRole[] = WORKSPACE_ROLES;

/** A role's name and what it allows, for selects and lists. */
export const ROLE_INFO: Record<WorkspaceRole, { label: string; description: string }> = {
  owner: { label: 'Owner', description: 'Everything, including the workspace settings' },
  admin: { label: 'Admin', description: 'Manages members, invitations and connections' },
  editor: { label: 'Editor', description: 'Creates and edits notebooks' },
  viewer: { label: 'Viewer', description: 'Reads notebooks shared with them' }
};

/** The roles `role` may give others: only an owner makes owners. */
export function assignableRoles(role: WorkspaceRole | null): WorkspaceRole[] {
  if (role === 'owner') return [...ROLES];
  if (role === 'admin') return ROLES.filter((r) => r !== 'owner');
  return [];
}
