/**
 * The fleet page's filters (pure): by status, group, revision and text (host name, reason, why it is
 * blocked), and its pages of PAGE_SIZE hosts. Read from the query string; anything unknown is ignored.
 */
import type { HostView } from '../../api.js';
import { HOST_STATUSES, type HostStatus } from '../../state/records.js';

/** Hosts on one page of the fleet (a page of 1,000 stays under 300 KB; see docs/benchmarks.md). */
export const PAGE_SIZE = 1000;

/** What the fleet page shows of the fleet. */
export interface FleetFilter {
  status?: HostStatus;
  group?: string;
  /** A revision name, or `none` for hosts that have none applied. */
  revision?: string;
  /** Text in the host's name, reason or blockedBy (case-insensitive). */
  text?: string;
  /** 1-based. */
  page: number;
}

/** The filter a query string asks for. */
export function parseFleetFilter(query: Record<string, unknown>): FleetFilter {
  const str = (key: string): string | undefined => {
    const v = query[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined;
  };
  const status = str('status');
  const page = Number(str('page') ?? '1');
  const text = str('q');
  const group = str('group');
  const revision = str('revision');
  return {
    ...(status && (HOST_STATUSES as readonly string[]).includes(status) ? { status: status as HostStatus } : {}),
    ...(group ? { group } : {}), ...(revision ? { revision } : {}), ...(text ? { text } : {}),
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The hosts `filter` keeps (all pages), in the order given. */
export function filterHosts(hosts: readonly HostView[], groups: Readonly<Record<string, readonly string[]>>, filter: FleetFilter): HostView[] {
  const text = filter.text?.toLowerCase();
  return hosts.filter((h) =>
    (filter.status === undefined || h.status === filter.status)
    && (filter.group === undefined || (groups[h.host] ?? []).includes(filter.group))
    && (filter.revision === undefined || (h.lastAppliedRevision ?? 'none') === filter.revision)
    && (text === undefined || [h.host, h.reason, h.blockedBy?.reason ?? ''].some((s) => s.toLowerCase().includes(text))));
}

/** The query string of `filter` at `page` (for links), starting with `?`, or '' when nothing is set. */
export function filterQuery(filter: FleetFilter, page = filter.page): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.group) params.set('group', filter.group);
  if (filter.revision) params.set('revision', filter.revision);
  if (filter.text) params.set('q', filter.text);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `?${query}` : '';
}
