/**
 * The platform's own handles, typed by TypeScript's default library (DOM,
 * WebCodecs, WebGPU), `@webgpu/types` and `@types/node`: a `VideoFrame` not
 * closed stalls its decoder, a `GPUBuffer` not destroyed holds GPU memory, an
 * object URL not revoked keeps its Blob alive, a descriptor not closed leaks.
 * Calls into the platform that return a Disposable acquire it by the general
 * rule (see ../disposable-returns.ts), less the Node types whose life ends
 * by itself. One preset in two specs, the web's and Node's, so that each is
 * on only in programs that use it (a Node program's `close()` calls are no
 * `VideoFrame#close`).
 */
import type { HandleApiSpec, ModuleName } from './types.js';
import { DEFAULT_LIBRARY } from './types.js';

const NAME = 'platform';
const WEB: readonly ModuleName[] = [DEFAULT_LIBRARY, '@webgpu/types'];
const NODE_FS: readonly ModuleName[] = ['fs', 'node:fs'];
const NODE_FS_PROMISES: readonly ModuleName[] = ['fs/promises', 'node:fs/promises'];

export const platformWeb: HandleApiSpec = {
  name: NAME,
  description: 'WebCodecs frames and codecs, ImageBitmap, WebGPU buffers and textures, object URLs',
  modules: WEB,
  handleTypes: ['VideoFrame', 'AudioData', 'VideoDecoder', 'VideoEncoder', 'AudioDecoder', 'AudioEncoder', 'ImageDecoder', 'ImageBitmap', 'GPUBuffer', 'GPUTexture', 'GPUQuerySet'],
  // Releases are the handles' own `close()` and `destroy()`; what is listed below has another name or takes the handle as an argument.
  acquire: [
    { type: 'VideoFrame', method: 'clone' },
    { type: 'AudioData', method: 'clone' },
    // `{ image }`: the frame of the result is the caller's to close.
    { type: 'ImageDecoder', method: 'decode' },
    { function: 'createImageBitmap' },
    { type: 'WindowOrWorkerGlobalScope', method: 'createImageBitmap' },
    { type: 'OffscreenCanvas', method: 'transferToImageBitmap' },
    { type: 'GPUDevice', method: 'createBuffer' },
    { type: 'GPUDevice', method: 'createTexture' },
    { type: 'GPUDevice', method: 'createQuerySet' },
    // A string handle: the Blob stays alive until the URL is revoked.
    { type: 'URL', method: 'createObjectURL' },
  ],
  release: [{ type: 'URL', method: 'revokeObjectURL', operand: 0 }],
  takeOwnership: [
    // The bitmap is transferred to the canvas and detached.
    { type: 'ImageBitmapRenderingContext', method: 'transferFromImageBitmap', operand: 0 },
  ],
  use: [
    // A frame or data made from an image or a frame copies it; the source stays the caller's.
    { function: 'VideoFrame', operand: 0 },
    { function: 'AudioData', operand: 0 },
  ],
  callbackOwns: [
    // Each frame or chunk of audio a decoder outputs is the callback's to close.
    { function: 'VideoDecoder', argument: 0, property: 'output', parameter: 0 },
    { function: 'AudioDecoder', argument: 0, property: 'output', parameter: 0 },
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
  ],
};

export const platformNode: HandleApiSpec = {
  name: NAME,
  description: 'Node file descriptors, FileHandle, Dir and FSWatcher',
  modules: [...NODE_FS, ...NODE_FS_PROMISES, 'url', 'node:url', '@types/node'],
  handleTypes: ['FileHandle', 'Dir', 'FSWatcher'],
  acquire: [
    // In Node too, `url`'s `URL` keeps the Blob until the URL is revoked.
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
  callbackOwns: [
    { function: 'open', from: NODE_FS, argument: 'last', parameter: 1, errorFirst: true },
    { function: 'opendir', from: NODE_FS, argument: 'last', parameter: 1, errorFirst: true },
  ],
  // A closed FileHandle keeps its number (-1 once closed), without throwing. A destroyed stream or socket
  // returns at once from these (`setTimeout` tests `destroyed`, the others a missing native handle), and its
  // listeners are plain JavaScript; a read or write after `destroy()` stays a use.
  readableAfterRelease: ['fd', 'setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref', 'removeListener', 'removeAllListeners', 'off', 'listenerCount'],
  // Node's Disposables whose life ends by itself: a timer fires, a stream ends, a child process or
  // worker exits, a server or socket runs until the program closes it, a readline interface closes
  // with its input. Their disposal is an early cancel, not an obligation.
  endsByItself: ['Timeout', 'Immediate', 'Readable', 'Writable', 'ChildProcess', 'Worker', 'Server', 'Socket', 'BoundSocket', 'Interface', 'Utf8Stream', 'MockTimers'],
};
