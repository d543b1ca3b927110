/**
 * A tiny, safe markdown renderer for text widgets: everything is HTML-escaped
 * first, then a small subset is turned into tags — headings, paragraphs,
 * lists, pipe tables, code, bold, italic, horizontal rules, and links whose
 * URL is http(s), mailto or a page anchor. No raw HTML ever passes through,
 * so a dashboard body cannot inject script into the page.
 */

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function safeUrl(url: string): string | undefined {
  const u = url.trim();
  if (/^(https?:\/\/|mailto:|#)/i.test(u)) return u;
  return undefined;
}

/** Inline markup on raw text (escapes it itself). */
export function renderInline(raw: string): string {
  // Placeholders are private-use characters; drop any in the input so they cannot be forged.
  return inline(raw.replace(/[\uE000\uE001]/g, ''));
}

function inline(raw: string): string {
  const codes: string[] = [];
  // Code spans first so their contents are left alone.
  let text = raw.replace(/`([^`]+)`/g, (_m, code: string) => {
    codes.push(`<code>${escapeHtml(code)}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  const links: string[] = [];
  // CloudWatch also writes buttons as [button:Label](url) / [button:primary:Label](url).
  text = text.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => {
    const shown = label.replace(/^button:(primary:)?/, '');
    const href = safeUrl(url);
    links.push(
      href
        ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${inline(shown)}</a>`
        : escapeHtml(shown),
    );
    return `\uE001${links.length - 1}\uE001`;
  });
  text = escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/__([^_]+)__/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>');
  return text
    .replace(/\uE001(\d+)\uE001/g, (m, i: string) => links[Number(i)] ?? m)
    .replace(/\uE000(\d+)\uE000/g, (m, i: string) => codes[Number(i)] ?? m);
}

const splitRow = (line: string) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) out.push(`<p>${paragraph.map(renderInline).join('<br>')}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '') {
      flush();
      continue;
    }
    if (trimmed.startsWith('```')) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i]!.trim().startsWith('```')) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(trimmed);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      out.push(`<h${level}>${renderInline(heading[2]!)}</h${level}>`);
      continue;
    }
    if (/^(-{3,}|\*{3,}|_{3,})$/.test(trimmed)) {
      flush();
      out.push('<hr>');
      continue;
    }
    const bullet = /^[-*+]\s+(.*)$/;
    const ordered = /^\d+[.)]\s+(.*)$/;
    if (bullet.test(trimmed) || ordered.test(trimmed)) {
      flush();
      const isOrdered = ordered.test(trimmed) && !bullet.test(trimmed);
      const re = isOrdered ? ordered : bullet;
      const items: string[] = [];
      while (i < lines.length && re.test(lines[i]!.trim())) {
        items.push(`<li>${renderInline(re.exec(lines[i]!.trim())![1]!)}</li>`);
        i++;
      }
      i--;
      const tag = isOrdered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.join('')}</${tag}>`);
      continue;
    }
    if (
      trimmed.startsWith('|') &&
      i + 1 < lines.length &&
      /^\|?\s*:?-{2,}/.test(lines[i + 1]!.trim())
    ) {
      flush();
      const head = splitRow(trimmed);
      i += 2;
      const body: string[][] = [];
      while (i < lines.length && lines[i]!.trim().startsWith('|')) body.push(splitRow(lines[i++]!));
      i--;
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${renderInline(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${renderInline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    paragraph.push(trimmed);
  }
  flush();
  return out.join('\n');
}
