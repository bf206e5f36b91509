/**
 * The platform's own handles, typed by TypeScript's default library (DOM,
 * WebCodecs, WebGPU), `@webgpu/types` and `@types/node`: a `VideoFrame` not
 * closed stalls its decoder, a `GPUBuffer` not destroyed holds GPU memory, an
 * object URL not revoked keeps its Blob alive, a descriptor not closed leaks.
 * Calls into the platform that return a Disposable acquire it by the general
 * rule (see ../disposable-returns.ts), less the Node types whose life ends
 * by itself.
 */
import type { HandleApiSpec, ModuleName } from './types.js';
import { DEFAULT_LIBRARY } from './types.js';

const WEB: readonly ModuleName[] = [DEFAULT_LIBRARY, '@webgpu/types'];
const NODE_FS: readonly ModuleName[] = ['fs', 'node:fs'];
const NODE_FS_PROMISES: readonly ModuleName[] = ['fs/promises', 'node:fs/promises'];

export const platform: HandleApiSpec = {
  name: 'platform',
  description: 'WebCodecs frames and codecs, ImageBitmap, WebGPU buffers and textures, object URLs, and Node file descriptors, FileHandle, Dir and FSWatcher',
  modules: [...WEB, ...NODE_FS, ...NODE_FS_PROMISES, '@types/node'],
  handleTypes: [
    'VideoFrame',
    'AudioData',
    'VideoDecoder',
    'VideoEncoder',
    'AudioDecoder',
    'AudioEncoder',
    'ImageDecoder',
    'ImageBitmap',
    'GPUBuffer',
    'GPUTexture',
    'GPUQuerySet',
    'FileHandle',
    'Dir',
    'FSWatcher',
  ],
  // Releases are the handles' own `close()` and `destroy()`; what is listed below has another name or takes the handle as an argument.
  acquire: [
    { type: 'VideoFrame', method: 'clone', from: WEB },
    { type: 'AudioData', method: 'clone', from: WEB },
    // `{ image }`: the frame of the result is the caller's to close.
    { type: 'ImageDecoder', method: 'decode', from: WEB },
    { function: 'createImageBitmap', from: WEB },
    { type: 'WindowOrWorkerGlobalScope', method: 'createImageBitmap', from: WEB },
    { type: 'OffscreenCanvas', method: 'transferToImageBitmap', from: WEB },
    { type: 'GPUDevice', method: 'createBuffer', from: WEB },
    { type: 'GPUDevice', method: 'createTexture', from: WEB },
    { type: 'GPUDevice', method: 'createQuerySet', from: WEB },
    // A string handle: the Blob stays alive until the URL is revoked (in Node too, `url`'s `URL`).
    { type: 'URL', method: 'createObjectURL' },
    // A number handle: the descriptor.
    { function: 'openSync', from: NODE_FS },
    { function: 'opendirSync', from: NODE_FS },
    { function: 'watch', from: NODE_FS },
    { function: 'open', from: NODE_FS_PROMISES },
    { function: 'opendir', from: NODE_FS_PROMISES },
  ],
  release: [
    { type: 'URL', method: 'revokeObjectURL', operand: 0 },
    { function: 'closeSync', from: NODE_FS, operand: 0 },
    { function: 'close', from: NODE_FS, operand: 0 },
    { type: 'Dir', method: 'closeSync', from: NODE_FS },
  ],
  takeOwnership: [
    // The bitmap is transferred to the canvas and detached.
    { type: 'ImageBitmapRenderingContext', method: 'transferFromImageBitmap', operand: 0, from: WEB },
  ],
  use: [
    // A frame or data made from an image or a frame copies it; the source stays the caller's.
    { function: 'VideoFrame', operand: 0, from: WEB },
    { function: 'AudioData', operand: 0, from: WEB },
  ],
  callbackOwns: [
    // Each frame or chunk of audio a decoder outputs is the callback's to close.
    { function: 'VideoDecoder', from: WEB, argument: 0, property: 'output', parameter: 0 },
    { function: 'AudioDecoder', from: WEB, argument: 0, property: 'output', parameter: 0 },
    { function: 'open', from: NODE_FS, argument: 'last', parameter: 1, errorFirst: true },
    { function: 'opendir', from: NODE_FS, argument: 'last', parameter: 1, errorFirst: true },
  ],
  // A closed frame keeps its metadata (the platform returns it, or null and 0, without throwing);
  // a destroyed buffer or texture keeps its size and format; a closed codec reports its `state`.
  readableAfterRelease: [
    'timestamp',
    'duration',
    'format',
    'codedWidth',
    'codedHeight',
    'codedRect',
    'visibleRect',
    'displayWidth',
    'displayHeight',
    'colorSpace',
    'sampleRate',
    'numberOfFrames',
    'numberOfChannels',
    'width',
    'height',
    'depthOrArrayLayers',
    'mipLevelCount',
    'sampleCount',
    'dimension',
    'size',
    'usage',
    'mapState',
    'count',
    'label',
    'state',
    'fd',
  ],
  // Node's Disposables whose life ends by itself: a timer fires, a stream ends, a child process or
  // worker exits, a server or socket runs until the program closes it, a readline interface closes
  // with its input. Their disposal is an early cancel, not an obligation.
  endsByItself: ['Timeout', 'Immediate', 'Readable', 'Writable', 'ChildProcess', 'Worker', 'Server', 'Socket', 'BoundSocket', 'Interface', 'Utf8Stream', 'MockTimers'],
};
