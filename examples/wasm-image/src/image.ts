// An image in the wasm heap, wrapped in a Disposable class.
import type { ImagePtr } from './codec';
import { copyToHeap, readU32, takeBytes, wasm } from './heap';

export class DecodeError extends Error {}

export class Image implements Disposable {
  #ptr: ImagePtr;

  private constructor(ptr: ImagePtr) {
    this.#ptr = ptr;
  }

  /** Decodes PNG or JPEG bytes. @acquire */
  static decode(bytes: Uint8Array): Image {
    const input = copyToHeap(bytes);
    try {
      const ptr = wasm._image_decode(input, bytes.length);
      if (!ptr) throw new DecodeError('not a PNG or JPEG image');
      return new Image(ptr);
    } finally {
      wasm._free(input);
    }
  }

  /** Wraps raw RGBA pixels. @acquire */
  static fromRgba(pixels: Uint8Array, width: number, height: number): Image {
    const input = copyToHeap(pixels);
    try {
      const ptr = wasm._image_from_rgba(input, width, height);
      if (!ptr) throw new RangeError(`cannot make a ${width}×${height} image`);
      return new Image(ptr);
    } finally {
      wasm._free(input);
    }
  }

  get width(): number {
    return wasm._image_width(this.#ptr);
  }

  get height(): number {
    return wasm._image_height(this.#ptr);
  }

  /** A resized copy; this image stays as it is. @acquire */
  resize(width: number, height: number): Image {
    return new Image(wasm._image_resize(this.#ptr, width, height));
  }

  /** Blurs this image in place. */
  blur(radius: number): this {
    wasm._image_blur(this.#ptr, radius);
    return this;
  }

  /** A blurred copy; this image stays as it is. @acquire */
  blurred(radius: number): Image {
    const copy = this.resize(this.width, this.height);
    try {
      copy.blur(radius);
    } catch (error) {
      copy.dispose();
      throw error;
    }
    return copy;
  }

  /** Mean value of each of the R, G, B channels. */
  channelMeans(): number[] {
    const means: number[] = [];
    const size = this.width * this.height;
    for (let channel = 0; channel < 3; channel++) {
      const plane = wasm._image_channel(this.#ptr, channel);
      let sum = 0;
      for (let i = 0; i < size; i++) sum += wasm.HEAPU8[plane + i];
      means.push(sum / size);
    }
    return means;
  }

  encodePng(): Uint8Array {
    const lengthOut = wasm._malloc(4);
    try {
      const png = wasm._image_encode_png(this.#ptr, lengthOut);
      const length = readU32(lengthOut);
      if (length === 0) return new Uint8Array();
      return takeBytes(png, length);
    } finally {
      wasm._free(lengthOut);
    }
  }

  /** Frees the image. Not idempotent: a second call frees the pointer again. */
  dispose(): void {
    wasm._image_free(this.#ptr);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
