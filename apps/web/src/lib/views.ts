import type { Permission } from '@hotend/sdk';

export type ViewId = 'printer' | 'files' | 'terminal' | 'logs' | 'build-logs';

export interface ViewDefinition {
  readonly id: ViewId;
  readonly label: string;
  /** Every permission the view needs to be shown at all. */
  readonly needs: readonly Permission[];
}

/** The views in navigation order; each appears only for a key holding what it needs. */
export const VIEWS: readonly ViewDefinition[] = [
  { id: 'printer', label: 'Printer', needs: ['STATUS'] },
  { id: 'files', label: 'Files', needs: ['FILES_LIST'] },
  { id: 'terminal', label: 'Terminal', needs: ['STATUS'] },
  { id: 'logs', label: 'Logs', needs: ['PLUGIN_LOGGING_MANAGE'] },
  { id: 'build-logs', label: 'Build logs', needs: ['BUILDLOGS_READ'] },
];

export function visibleViews(permissions: readonly Permission[]): ViewDefinition[] {
  return VIEWS.filter((view) => view.needs.every((needed) => permissions.includes(needed)));
}

/** The view a `#/name` hash points at, or the first one the key may see when it points nowhere allowed. */
export function viewForHash(hash: string, permissions: readonly Permission[]): ViewId | null {
  const visible = visibleViews(permissions);
  const wanted = hash.replace(/^#\/?/, '');
  return (visible.find((view) => view.id === wanted) ?? visible[0])?.id ?? null;
}
