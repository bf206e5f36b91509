// Types for the emscripten glue of a small image codec (codec.js + codec.wasm).
// The JSDoc tags tell eslint-plugin-handle-lifetime who owns what.

/** A pointer into the wasm heap. @handle */
export type Ptr = number & { readonly __brand: 'Ptr' };

/** A decoded image living in the wasm heap. @handle */
export type ImagePtr = number & { readonly __brand: 'ImagePtr' };

export interface CodecModule {
  readonly HEAPU8: Uint8Array;
  /** @acquire */
  _malloc(size: number): Ptr;
  /** @release */
  _free(ptr: Ptr): void;

  /** Decodes PNG or JPEG bytes; 0 when the data is not an image. @acquire */
  _image_decode(data: Ptr, length: number): ImagePtr;
  /** @acquire */
  _image_from_rgba(pixels: Ptr, width: number, height: number): ImagePtr;
  /** @release */
  _image_free(image: ImagePtr): void;
  _image_width(image: ImagePtr): number;
  _image_height(image: ImagePtr): number;
  /** Pixels of the image (borrowed: valid until the image is freed). */
  _image_pixels(image: ImagePtr): number;
  /** A new, resized copy. @acquire */
  _image_resize(image: ImagePtr, width: number, height: number): ImagePtr;
  /** Blurs the image in place. */
  _image_blur(image: ImagePtr, radius: number): void;
  /** One channel as a new 8-bit plane of width × height bytes. @acquire */
  _image_channel(image: ImagePtr, channel: number): Ptr;
  /** Encodes to PNG into a new buffer; writes its length at `lengthOut`. @acquire */
  _image_encode_png(image: ImagePtr, lengthOut: Ptr): Ptr;
}

export default function createCodecModule(): Promise<CodecModule>;
