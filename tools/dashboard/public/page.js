// The page's plumbing: element lookup and creation, the JSON API, and the
// notice and status lines.
/* global document, fetch */

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'style') Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

export async function api(path) {
  const res = await fetch(path, { cache: 'no-store' });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Error(`the dashboard server answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

export function notice(text, kind = 'info') {
  const n = $('#notice');
  n.hidden = !text;
  n.textContent = text || '';
  n.className = `notice ${kind === 'error' ? 'error' : ''}`;
}

export function setStatus(text) {
  $('#status').textContent = text;
}
