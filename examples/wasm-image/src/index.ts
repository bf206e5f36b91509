export { ImageCache, decodeAll } from './cache';
export { DecodeError, Image } from './image';
export { averageColor, contactSheet, describe, largest, softThumbnail, squareThumbnail, thumbnail } from './pipeline';
export type { Thumbnail } from './pipeline';
