/**
 * The tab's icon with the unread count drawn on it (a canvas over the app icon), and back to the
 * plain icon at zero.
 */
const SIZE = 64;

let original: string | null = null;
let image: Promise<HTMLImageElement | null> | undefined;
let drawn = 0;

function iconLink(): HTMLLinkElement | null {
  return document.querySelector<HTMLLinkElement>('link[rel="icon"]');
}

function baseImage(href: string): Promise<HTMLImageElement | null> {
  image ??= new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = href;
  });
  return image;
}

/** The text the badge shows: up to two characters fit. */
export function faviconLabel(n: number): string {
  return n > 9 ? '9+' : String(n);
}

async function draw(n: number): Promise<string | null> {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const ctx = canvas.getContext('2d');
  if (!ctx || !original) return null;
  const img = await baseImage(original);
  if (img) ctx.drawImage(img, 0, 0, SIZE, SIZE);
  const r = SIZE * 0.3;
  ctx.beginPath();
  ctx.arc(SIZE - r, r, r, 0, Math.PI * 2);
  ctx.fillStyle = '#dc2626';
  ctx.fill();
  ctx.fillStyle = '#fff';
  ctx.font = `bold ${Math.round(r * 1.25)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(faviconLabel(n), SIZE - r, r + 1);
  return canvas.toDataURL('image/png');
}

export const favicon = {
  async set(n: number): Promise<void> {
    const link = iconLink();
    if (!link) return;
    original ??= link.getAttribute('href');
    drawn = n;
    if (n <= 0) {
      if (original) link.setAttribute('href', original);
      link.removeAttribute('data-count');
      return;
    }
    const url = await draw(n);
    // a newer count was asked for while this one was drawn
    if (!url || drawn !== n) return;
    link.setAttribute('href', url);
    link.dataset.count = String(n);
  },
};
