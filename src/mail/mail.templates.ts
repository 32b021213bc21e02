import { escapeHtml } from '../platform/html/escape';

/** What every email says, in the words of its kind; rendered to text and to HTML alike. */
export interface MailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Printed small under the action: expiry, why the reader got this email. */
  footnote?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Names typed by admins or users (workspace, pool, given name) may hold line breaks and other control characters.
 * In the text part a line break would start a line of their choosing (a fake link, a fake header-like line), so
 * each piece of content is one line of plain text before it is laid out.
 */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ');
}

export function renderMail(original: MailContent): RenderedMail {
  const content: MailContent = {
    ...original,
    subject: oneLine(original.subject),
    heading: oneLine(original.heading),
    paragraphs: original.paragraphs.map(oneLine),
    footnote: original.footnote && oneLine(original.footnote),
  };
  const text = [
    content.heading,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ''] : []),
    ...(content.footnote ? [content.footnote] : []),
  ].join('\n');

  const button = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:12px 20px;background:#3451b2;color:#ffffff;text-decoration:none;border-radius:8px;font-weight:600">${escapeHtml(content.action.label)}</a></p>
<p style="font-size:13px;color:#555">Or paste this link into your browser:<br><a href="${escapeHtml(content.action.url)}" style="color:#3451b2;word-break:break-all">${escapeHtml(content.action.url)}</a></p>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:12px;padding:32px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(content.heading)}</h1>
${content.paragraphs.map((p) => `<p style="line-height:1.5">${escapeHtml(p)}</p>`).join('\n')}
${button}
${content.footnote ? `<p style="font-size:13px;color:#555;line-height:1.5">${escapeHtml(content.footnote)}</p>` : ''}
</div></body></html>`;
  return { subject: content.subject, text, html };
}
