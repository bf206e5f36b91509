// The platform's own handles through the `platform` preset, against TypeScript's DOM
// library (WebCodecs, WebGPU, ImageBitmap, object URLs) and @types/node (descriptors,
// FileHandle, Dir, FSWatcher).
import { describe, expect, it } from 'vitest';
import { findings } from './harness.js';

describe('platform preset: WebCodecs', () => {
  it('a cloned frame never closed stalls the decoder', () => {
    expect(
      findings(`
export function snapshot(frame: VideoFrame): number {
  const copy = frame.clone();
  return copy.timestamp;
}
`),
    ).toEqual(['leak@3']);
  });

  it("a frame handed to a decoder's output callback is the callback's to close", () => {
    expect(
      findings(`
export function play(ctx: CanvasRenderingContext2D): VideoDecoder {
  return new VideoDecoder({
    output: (frame) => {
      ctx.drawImage(frame, 0, 0);
    },
    error: () => undefined,
  });
}
`),
    ).toEqual(['leak@4']);
  });

  it('an output callback that draws and closes the frame', () => {
    expect(
      findings(`
export function play(ctx: CanvasRenderingContext2D): VideoDecoder {
  return new VideoDecoder({
    output(frame) {
      ctx.drawImage(frame, 0, 0);
      frame.close();
    },
    error: () => undefined,
  });
}
`),
    ).toEqual([]);
  });

  it('an output callback that queues the frame for a render loop hands it on', () => {
    expect(
      findings(`
export class Player {
  private frames: VideoFrame[] = [];
  start(): VideoDecoder {
    return new VideoDecoder({ output: (frame) => { this.frames.push(frame); }, error: () => undefined });
  }
}
`),
    ).toEqual([]);
  });

  it("the image of ImageDecoder.decode() is the caller's to close, however it is read", () => {
    expect(
      findings(`
export async function first(decoder: ImageDecoder, ctx: CanvasRenderingContext2D): Promise<void> {
  const { image } = await decoder.decode();
  ctx.drawImage(image, 0, 0);
  image.close();
  const second = (await decoder.decode({ frameIndex: 1 })).image;
  ctx.drawImage(second, 0, 0);
  second.close();
  const result = await decoder.decode({ frameIndex: 2 });
  ctx.drawImage(result.image, 0, 0);
  result.image.close();
}
`),
    ).toEqual([]);
  });

  it('a decoded image never closed', () => {
    expect(
      findings(`
export async function first(decoder: ImageDecoder, ctx: CanvasRenderingContext2D): Promise<void> {
  const { image } = await decoder.decode();
  ctx.drawImage(image, 0, 0);
}
`),
    ).toEqual(['leak@3']);
  });

  it("a closed frame's metadata stays readable; drawing it is a use after release", () => {
    expect(
      findings(`
export function draw(frame: VideoFrame, ctx: CanvasRenderingContext2D): number {
  const copy = frame.clone();
  copy.close();
  ctx.drawImage(copy, 0, 0);
  return copy.timestamp;
}
`),
    ).toEqual(['use-after-release@5']);
  });
});

describe('platform preset: ImageBitmap', () => {
  it('an awaited createImageBitmap() never closed', () => {
    expect(
      findings(`
export async function size(blob: Blob): Promise<number> {
  const bitmap = await createImageBitmap(blob);
  return bitmap.width;
}
`),
    ).toEqual(['leak@3']);
  });

  it("a bitmap handed to .then() is the callback's, which closes it", () => {
    expect(
      findings(`
export function paint(blob: Blob, ctx: CanvasRenderingContext2D): void {
  createImageBitmap(blob).then((bitmap) => { ctx.drawImage(bitmap, 0, 0); bitmap.close(); });
}
`),
    ).toEqual([]);
  });

  it('transferFromImageBitmap takes the bitmap; closing another twice is a double release', () => {
    expect(
      findings(`
export function grab(canvas: OffscreenCanvas, target: ImageBitmapRenderingContext, other: OffscreenCanvas): void {
  const a = canvas.transferToImageBitmap();
  target.transferFromImageBitmap(a);
  const b = other.transferToImageBitmap();
  b.close();
  b.close();
}
`),
    ).toEqual(['double-release@7']);
  });
});

describe('platform preset: WebGPU', () => {
  it('a buffer never destroyed leaks; a view of a destroyed texture is a use after release', () => {
    expect(
      findings(`
export function upload(device: GPUDevice, data: Float32Array): number {
  const buffer = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  const texture = device.createTexture({ size: [4, 4], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING });
  texture.destroy();
  const view = texture.createView();
  return buffer.size + (view ? 1 : 0);
}
`),
    ).toEqual(['leak@3', 'use-after-release@7']);
  });

  it('long-lived buffers, in a module variable or a field, are no leaks', () => {
    expect(
      findings(`
declare const device: GPUDevice;
const shared = device.createBuffer({ size: 4, usage: 0 });
export class Mesh {
  vertices: GPUBuffer;
  constructor(device: GPUDevice) {
    this.vertices = device.createBuffer({ size: 16, usage: 0 });
  }
  destroy(): void { this.vertices.destroy(); shared.size; }
}
`),
    ).toEqual([]);
  });
});

describe('platform preset: object URLs', () => {
  it('an object URL set as an image source and never revoked keeps its Blob alive', () => {
    expect(
      findings(`
export function show(blob: Blob, img: HTMLImageElement): void {
  const url = URL.createObjectURL(blob);
  img.src = url;
}
`),
    ).toEqual(['leak@3']);
  });

  it('revoked when the image has loaded', () => {
    expect(
      findings(`
export function show(blob: Blob, img: HTMLImageElement): void {
  const url = URL.createObjectURL(blob);
  img.onload = () => URL.revokeObjectURL(url);
  img.src = url;
}
`),
    ).toEqual([]);
  });

  it('the download idiom: a link clicked, then its URL revoked', () => {
    expect(
      findings(`
export function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}
`),
    ).toEqual([]);
  });

  it('a URL kept in a field is revoked later, elsewhere', () => {
    expect(
      findings(`
export class Preview {
  url = '';
  show(blob: Blob): void {
    this.url = URL.createObjectURL(blob);
  }
}
`),
    ).toEqual([]);
  });

  it('fetching a revoked URL is a use after release', () => {
    expect(
      findings(`
export async function load(blob: Blob): Promise<Response> {
  const url = URL.createObjectURL(blob);
  URL.revokeObjectURL(url);
  return fetch(url);
}
`),
    ).toEqual(['use-after-release@5']);
  });
});

describe('platform preset: Node file descriptors and handles', () => {
  it('a descriptor from fs.openSync never closed', () => {
    expect(
      findings(`/// <reference types="node" />
import * as fs from 'node:fs';
export function head(path: string): number {
  const fd = fs.openSync(path, 'r');
  return fs.readSync(fd, Buffer.alloc(16));
}
`),
    ).toEqual(['leak@4']);
  });

  it('a descriptor closed in finally', () => {
    expect(
      findings(`/// <reference types="node" />
import { openSync, readSync, closeSync } from 'fs';
export function head(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, Buffer.alloc(16));
  } finally {
    closeSync(fd);
  }
}
`),
    ).toEqual([]);
  });

  it('reading a closed descriptor is a use after release', () => {
    expect(
      findings(`/// <reference types="node" />
import * as fs from 'fs';
export function head(path: string): number {
  const fd = fs.openSync(path, 'r');
  fs.closeSync(fd);
  return fs.readSync(fd, Buffer.alloc(16));
}
`),
    ).toEqual(['use-after-release@6']);
  });

  it("fs.open's callback owns the descriptor where no error is set", () => {
    expect(
      findings(`/// <reference types="node" />
import * as fs from 'node:fs';
export function head(path: string, done: (error: Error | null) => void): void {
  fs.open(path, 'r', (err, fd) => {
    if (err) return done(err);
    fs.readSync(fd, Buffer.alloc(16));
    done(null);
  });
}
`),
    ).toEqual(['leak@4']);
  });

  it('a FileHandle from fs/promises open() never closed', () => {
    expect(
      findings(`/// <reference types="node" />
import { open } from 'node:fs/promises';
export async function head(path: string): Promise<number> {
  const file = await open(path);
  const { bytesRead } = await file.read(Buffer.alloc(16), 0, 16, 0);
  return bytesRead;
}
`),
    ).toEqual(['leak@4']);
  });

  it('await using closes the FileHandle', () => {
    expect(
      findings(`/// <reference types="node" />
import { open } from 'node:fs/promises';
export async function head(path: string): Promise<number> {
  await using file = await open(path);
  const { bytesRead } = await file.read(Buffer.alloc(16), 0, 16, 0);
  return bytesRead;
}
`),
    ).toEqual([]);
  });

  it('directories closed, a watcher never closed', () => {
    expect(
      findings(`/// <reference types="node" />
import * as fs from 'node:fs';
import { opendir } from 'node:fs/promises';
export async function list(path: string): Promise<string[]> {
  const dir = fs.opendirSync(path);
  const first = dir.readSync();
  dir.closeSync();
  const watcher = fs.watch(path);
  const other = await opendir(path);
  await other.close();
  return first ? [first.name] : [];
}
`),
    ).toEqual(['leak@8']);
  });

  it('timers, streams and child processes end by themselves: no leaks', () => {
    expect(
      findings(`/// <reference types="node" />
import * as fs from 'fs';
import { spawn } from 'child_process';
export function run(path: string): void {
  setTimeout(() => undefined, 10);
  const stream = fs.createReadStream(path);
  stream.on('data', () => undefined);
  const child = spawn('ls');
  child.on('exit', () => undefined);
}
`),
    ).toEqual([]);
  });

  it('a stream of its own, made with new, ends by itself too: no leak', () => {
    expect(
      findings(`/// <reference types="node" />
import { PassThrough } from 'node:stream';
export function send(target: NodeJS.WritableStream, data: string): void {
  const source = new PassThrough();
  source.pipe(target);
  source.end(data);
}
`),
    ).toEqual([]);
  });
});

describe('calls declared to return a Disposable', () => {
  it('acquire it: a parse result never disposed leaks', () => {
    expect(
      findings(`
declare class Tree { [Symbol.dispose](): void; size: number }
declare function parse(src: string): Tree;
export function count(src: string): number {
  const tree = parse(src);
  return tree.size;
}
`),
    ).toEqual(['leak@5']);
  });

  it("not where the declaration says @borrow: the child stays its owner's", () => {
    expect(
      findings(`
declare class Node { [Symbol.dispose](): void; text: string }
declare class Tree {
  [Symbol.dispose](): void;
  /** @borrow */
  root(): Node;
}
export function text(tree: Tree): string {
  const root = tree.root();
  return root.text;
}
`),
    ).toEqual([]);
  });
});
