/** File names from clients are for display only: they never reach the file system. */

const MAX_BYTES = 255;

/**
 * A display name from a client-supplied one: the last path segment only (no directories, so no
 * `../`), no control or reserved characters, no leading dots, at most 255 UTF-8 bytes (the
 * extension kept), NFC; `file` when nothing is left.
 */
export function sanitizeFileName(raw: string | undefined | null, fallback = 'file'): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  // Control characters (C0, DEL, C1), bidi overrides and the characters Windows reserves.
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>:"|?*]/g, '_');
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '').trim();
  if (!name) return fallback;
  if (Buffer.byteLength(name) > MAX_BYTES) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    let stem = ext ? name.slice(0, dot) : name;
    while (Buffer.byteLength(stem + ext) > MAX_BYTES) stem = Array.from(stem).slice(0, -1).join('');
    name = stem + ext;
  }
  return name;
}

/** RFC 5987 / RFC 6266 `Content-Disposition` with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The extension of a name, lower-case, without the dot ('' when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
