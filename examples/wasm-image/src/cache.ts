// Decoded images kept by key until the cache is disposed.
import { Image } from './image';

export class ImageCache implements Disposable {
  readonly #images = new Map<string, Image>();

  /** The decoded image for `key`; the cache keeps ownership. */
  get(key: string, load: () => Uint8Array): Image {
    let image = this.#images.get(key);
    if (!image) {
      image = Image.decode(load());
      this.#images.set(key, image);
    }
    return image;
  }

  evict(key: string): void {
    const image = this.#images.get(key);
    if (!image) return;
    this.#images.delete(key);
    image.dispose();
  }

  [Symbol.dispose](): void {
    for (const image of this.#images.values()) image.dispose();
    this.#images.clear();
  }
}

/** Decodes every file, or none: on a failure the ones already decoded are disposed. */
export function decodeAll(files: readonly Uint8Array[]): Image[] {
  using stack = new DisposableStack();
  const images = files.map((bytes) => stack.use(Image.decode(bytes)));
  stack.move();
  return images;
}
