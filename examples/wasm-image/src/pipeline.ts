// Thumbnails and contact sheets: the code that uses Image.
import { Image } from './image';

export interface Thumbnail {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
}

function fitWithin(width: number, height: number, box: number): [number, number] {
  const scale = Math.min(1, box / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Encodes `image` and disposes it: callers hand it over. */
function encodeAndDispose(image: Image): Uint8Array {
  try {
    return image.encodePng();
  } finally {
    image.dispose();
  }
}

export function thumbnail(bytes: Uint8Array, box: number): Thumbnail {
  using source = Image.decode(bytes);
  const [width, height] = fitWithin(source.width, source.height, box);
  return { png: encodeAndDispose(source.resize(width, height)), width, height };
}

export function softThumbnail(bytes: Uint8Array, box: number, radius: number): Thumbnail {
  using source = Image.decode(bytes);
  const [width, height] = fitWithin(source.width, source.height, box);
  using small = source.resize(width, height);
  small.blurred(radius);
  return { png: small.encodePng(), width, height };
}

export function squareThumbnail(bytes: Uint8Array, side: number): Thumbnail {
  let image = Image.decode(bytes);
  try {
    image = image.resize(side, side);
    return { png: image.encodePng(), width: side, height: side };
  } finally {
    image.dispose();
  }
}

function thumbnailOf(image: Image, box: number): Thumbnail {
  const [width, height] = fitWithin(image.width, image.height, box);
  const small = image.resize(width, height);
  const png = small.encodePng();
  small.dispose();
  return { png, width, height };
}

export function contactSheet(files: readonly Uint8Array[], box: number): Thumbnail[] {
  const sheet: Thumbnail[] = [];
  for (const bytes of files) {
    const image = Image.decode(bytes);
    try {
      if (image.width < 16 || image.height < 16) continue;
      sheet.push(thumbnailOf(image, box));
      image.dispose();
    } finally {
      image.dispose();
    }
  }
  return sheet;
}

/** The largest image, decoded; the caller disposes it. */
export function largest(files: readonly Uint8Array[]): Image | undefined {
  let best: Image | undefined;
  for (const bytes of files) {
    const image = Image.decode(bytes);
    if (!best || image.width * image.height > best.width * best.height) {
      best?.dispose();
      best = image;
    } else {
      image.dispose();
    }
  }
  return best;
}

export function averageColor(bytes: Uint8Array): string {
  const image = Image.decode(bytes);
  const [r, g, b] = image.channelMeans().map(Math.round);
  if (r === g && g === b) return `gray(${r})`;
  image.dispose();
  return `rgb(${r}, ${g}, ${b})`;
}

export function describe(bytes: Uint8Array): string {
  const image = Image.decode(bytes);
  let means: number[];
  try {
    means = image.channelMeans();
  } finally {
    image.dispose();
  }
  const brightness = Math.round((means[0] + means[1] + means[2]) / 3);
  return `${image.width} px wide, brightness ${brightness}`;
}
