/** Export a drawn chart as a standalone SVG or PNG file, with the page's colours baked in. */
import { downloadBlob } from '../download.js';

/** The chart's own SVG (a Plot figure also holds legend swatches): the largest svg inside `root`. */
function chartSvg(root: Element): SVGSVGElement | null {
  const svgs = [...root.querySelectorAll('svg')].filter((s) => !s.parentElement?.closest('svg'));
  if (root instanceof SVGSVGElement) return root;
  return svgs.sort((a, b) => b.clientWidth * b.clientHeight - a.clientWidth * a.clientHeight)[0] ?? null;
}

/** Standalone SVG text: `currentColor` and fonts resolved, a background painted, so it looks the same outside the page. */
export function svgMarkup(root: Element, background?: string): string {
  const svg = chartSvg(root);
  if (!svg) throw new Error('There is no chart to export.');
  const css = getComputedStyle(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const width = svg.width.baseVal.value || svg.clientWidth;
  const height = svg.height.baseVal.value || svg.clientHeight;
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.style.color = css.color;
  copy.style.fontFamily = css.fontFamily;
  copy.style.background = background ?? 'transparent';
  if (background) {
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    rect.setAttribute('width', '100%');
    rect.setAttribute('height', '100%');
    rect.setAttribute('fill', background);
    copy.insertBefore(rect, copy.firstChild);
  }
  return new XMLSerializer().serializeToString(copy);
}

/** Download the chart as `filename` (.svg). */
export function downloadSvg(root: Element, filename: string, background?: string): void {
  downloadBlob(new Blob([svgMarkup(root, background)], { type: 'image/svg+xml' }), filename);
}

/** The chart as PNG bytes at `scale` × its size (2 for sharp text on high-DPI screens). */
export async function pngBlob(root: Element, background: string, scale = 2): Promise<Blob> {
  const markup = svgMarkup(root, background);
  const svg = chartSvg(root)!;
  const width = svg.width.baseVal.value || svg.clientWidth;
  const height = svg.height.baseVal.value || svg.clientHeight;
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Download the chart as `filename` (.png). */
export async function downloadPng(root: Element, filename: string, background: string): Promise<void> {
  downloadBlob(await pngBlob(root, background), filename);
}
