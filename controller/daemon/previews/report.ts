/**
 * A preview as the markdown renderer takes it (the API's `?format=markdown`, `drover preview -o
 * markdown`): titled by its pull request when a webhook started it, else by its ref. Pure.
 */
import { renderPreviewMarkdown } from '../../reconcile/preview/markdown.js';
import type { PreviewReport } from '../../reconcile/preview/types.js';
import type { PreviewView } from './types.js';

/** The report of a finished preview. */
export function previewReport(preview: PreviewView): PreviewReport {
  const pr = preview.pullRequest;
  const title = pr ? `${pr.provider === 'gitlab' ? `merge request !${pr.number}` : `pull request #${pr.number}`}${pr.headRef ? ` (${pr.headRef})` : ''}` : preview.ref;
  return {
    title, revision: preview.revision, hosts: preview.hosts, fullAt: `GET /api/v1/previews/${preview.previewId}`,
    ...(preview.base ? { base: preview.base } : {}),
    ...(preview.validation && !preview.validation.valid ? { problems: preview.validation.problems } : {}),
    ...(preview.error ? { error: preview.error } : {}),
  };
}

/** The markdown of a preview; an unfinished one says so under its heading. */
export function previewMarkdown(preview: PreviewView): string {
  const done = preview.state === 'done' || preview.state === 'failed';
  return renderPreviewMarkdown({ ...previewReport(preview), ...(done ? {} : { unfinished: preview.state }) });
}
