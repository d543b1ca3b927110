import { describe, expect, it } from 'vitest';
import { escapeHtml, renderInline, renderMarkdown } from '../../../../tools/dashboard/markdown';

describe('text widget markdown', () => {
  it('renders headings, paragraphs, lists, tables, code and emphasis', () => {
    const html = renderMarkdown(
      [
        '# streamscale',
        'Input **rates** and *lag*; run `npm run query`.',
        '',
        '- one',
        '- two',
        '1. first',
        '2. second',
        '',
        '| metric | meaning |',
        '| --- | --- |',
        '| IncomingRecords | accepted |',
        '---',
        '```',
        'a < b',
        '```',
      ].join('\n'),
    );
    expect(html).toBe(
      [
        '<h1>streamscale</h1>',
        '<p>Input <strong>rates</strong> and <em>lag</em>; run <code>npm run query</code>.</p>',
        '<ul><li>one</li><li>two</li></ul>',
        '<ol><li>first</li><li>second</li></ol>',
        '<table><thead><tr><th>metric</th><th>meaning</th></tr></thead><tbody><tr><td>IncomingRecords</td><td>accepted</td></tr></tbody></table>',
        '<hr>',
        '<pre><code>a &lt; b</code></pre>',
      ].join('\n'),
    );
  });

  it('never lets HTML or script URLs through', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://aws.amazon.com/cloudwatch/)',
    );
    expect(html).not.toMatch(/<script|<img|javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(
      '<a href="https://aws.amazon.com/cloudwatch/" target="_blank" rel="noopener noreferrer">ok</a>',
    );
    expect(renderInline('[t](https://e.com/"onmouseover="x)')).not.toContain('"onmouseover');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('keeps CloudWatch button links as links and leaves snake_case words alone', () => {
    expect(renderInline('[button:primary:Runbook](https://example.com/rb)')).toBe(
      '<a href="https://example.com/rb" target="_blank" rel="noopener noreferrer">Runbook</a>',
    );
    expect(renderInline('crash_count and total_loc')).toBe('crash_count and total_loc');
    expect(renderInline('[`code` label](#top)')).toBe(
      '<a href="#top" target="_blank" rel="noopener noreferrer"><code>code</code> label</a>',
    );
  });
});
