/**
 * The status page's buttons, by role: "Sync" and "Dry run" need the sync role, "Suspend", "Resume" and
 * "Resume rollout" admin (as their API routes do; roles.ts). A read-only viewer gets no form and no
 * button (the server refuses the actions anyway). Every form carries the session's CSRF token and the
 * page to come back to; a button posts to /actions with its action as name and the host as value
 * (page-actions.ts): one short button per action, as a page holds 1,000 rows of them.
 */
import type { HostView } from '../../api.js';
import { allows, type Principal } from '../roles.js';
import { html, type Html } from './html.js';

/** What the viewer may do on a page, and what its forms carry. */
export interface Permissions {
  sync: boolean;
  admin: boolean;
  csrf: string;
  /** The page's own path and query: where a form without JavaScript comes back to. */
  back: string;
}

/** The permissions of `viewer` (none: nothing allowed). */
export function permissionsOf(viewer: Principal | undefined, csrf: string, back: string): Permissions {
  return { sync: viewer !== undefined && allows(viewer.role, 'sync'), admin: viewer !== undefined && allows(viewer.role, 'admin'), csrf, back };
}

/** True when the viewer may press any button. */
export function mayAct(p: Permissions | undefined): p is Permissions {
  return p !== undefined && (p.sync || p.admin);
}

/**
 * `content` inside the action form (`id`, a `.live` block); without permissions a plain block with the
 * same id.
 */
export function actionForm(id: string, p: Permissions | undefined, content: Html): Html {
  if (!mayAct(p)) return html`<div id="${id}" class="live">${content}</div>`;
  return html`<form id="${id}" class="live" method="post" action="/actions"><input type="hidden" name="csrf" value="${p.csrf}"><input type="hidden" name="back" value="${p.back}">${content}</form>`;
}

/** The buttons of one host (inside an actionForm). */
export function hostButtons(h: Pick<HostView, 'host' | 'suspended' | 'removedAt'>, p: Permissions | undefined): Html | '' {
  if (!mayAct(p) || h.removedAt !== undefined) return '';
  const sync = p.sync && !h.suspended
    ? html`<button name="sync" value="${h.host}">Sync</button><button name="dry-run" value="${h.host}">Dry run</button>` : '';
  const admin = p.admin
    ? (h.suspended ? html`<button name="resume" value="${h.host}">Resume</button>` : html`<button name="suspend" value="${h.host}">Suspend</button>`) : '';
  return html`${sync}${admin}`;
}
