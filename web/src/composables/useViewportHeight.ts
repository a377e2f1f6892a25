/**
 * Keeps `--app-height` equal to the visible viewport. iPhone Safari does not shrink the layout
 * viewport when the on-screen keyboard opens, so without this the composer hides behind it.
 */
export function trackViewportHeight(): () => void {
  const viewport = window.visualViewport;
  if (!viewport) return () => {};
  const root = document.documentElement;
  const update = () => {
    root.style.setProperty('--app-height', `${Math.round(viewport.height)}px`);
    // Safari scrolls the page up under the keyboard; pin it back so the header stays visible
    if (viewport.offsetTop > 0 && document.scrollingElement) document.scrollingElement.scrollTop = 0;
  };
  update();
  viewport.addEventListener('resize', update);
  viewport.addEventListener('scroll', update);
  return () => {
    viewport.removeEventListener('resize', update);
    viewport.removeEventListener('scroll', update);
  };
}
