/**
 * A host's plan: the ordered, named steps that would bring it from what was observed to what
 * the manifests declare, each with the reason in user terms. Pure data, JSON-serialisable.
 */
import type { ResourceKind } from '../../manifests/types.js';

export type Action = 'create' | 'update' | 'delete' | 'none';

/**
 * backup: copy a file about to change into the host's backup store; install/regen: the work of one
 * resource; clean: remove what left the manifests (settings.prune); handler: a notified
 * restart/reload/command; test: a check after apply.
 */
export type StepPhase = 'backup' | 'install' | 'regen' | 'clean' | 'handler' | 'test';

export interface PlanStep {
  /**
   * E.g. `aptget_nginx`, `backup_etc_nginx_nginx_conf`, `regen_etc_nginx_nginx_conf`, `restart_nginx` (see naming.ts); resources
   * whose names coincide, or that share a `step:`, share the name.
   */
  name: string;
  phase: StepPhase;
  /** The compound step it belongs to: `setup_<role>`, or `setup_<host>` for host and group resources. */
  group: string;
  /** The resource id the step works on (backup and handler steps name the resource they serve). */
  resource: string;
  kind: ResourceKind | 'test';
  action: Action;
  /** Why, in user terms: `mode 0644 -> 0600`, `package nginx absent -> present`. Empty when action is none. */
  reasons: string[];
  /** Set when the outcome is only known at run time (a guard evaluated before earlier changes). */
  mayChange?: string;
  /** Handler ids this step notifies when it changes something. */
  notifies: string[];
  /** For handler steps: the resources whose change triggers it. */
  triggeredBy?: string[];
  /** For file-like steps: content hashes before and after (never the content of secrets). */
  content?: { before?: string; after: string; secrets: string[]; binary: boolean };
  /** For purge_ steps (purge.ts): the undeclared entry of an owned directory that the step removes. */
  purge?: { path: string; type: 'file' | 'symlink' };
  /**
   * Listed, never run (`purge: report`, or a resource in Conflict): what drover would change, reported as drift of the host's
   * status and plan, yet not counted against `inSync` (applying would change nothing there).
   */
  report?: true;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
  /** Steps whose outcome is only known at run time. */
  mayChange: number;
  /** Steps only reported, never run (`purge: report`, resources in Conflict); absent when none. */
  reported?: number;
}

export interface Plan {
  host: string;
  steps: PlanStep[];
  summary: PlanSummary;
  /** True when no step would change anything. */
  inSync: boolean;
}

/** What compare functions return for one resource. */
export interface Verdict {
  action: Action;
  reasons: string[];
  mayChange?: string;
}

/** A step that changes nothing. */
export const UNCHANGED: Verdict = { action: 'none', reasons: [] };
