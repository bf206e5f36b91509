import rule from '../../src/rules/require-owned-field-release.js';
import { ruleTester } from '../rule-tester.js';

/**
 * A codec wrapper that holds a platform decoder or a custom one, never both: the constructor sets
 * one in each branch of an `if`, a second decoder is made only where no custom one is set, and
 * `close()` closes the platform decoders only on the side where the custom one is not set.
 */
const wrapper = (options: { exported?: boolean; constructorBody?: string; decodeBody?: string; extra?: string } = {}): string => `
interface PluginCodec {
  decode(data: Uint8Array): void;
  close(): Promise<void>;
}
declare function findPluginCodec(config: VideoDecoderConfig): PluginCodec | null;
${options.exported ? 'export ' : ''}class CodecSlot {
  platform: VideoDecoder | null = null;
  plugin: PluginCodec | null = null;
  sideDecoder: VideoDecoder | null = null;
  constructor(init: VideoDecoderInit, config: VideoDecoderConfig) {
${
  options.constructorBody ??
  `    const found = findPluginCodec(config);
    if (found) {
      this.plugin = found;
    } else {
      this.platform = new VideoDecoder(init);
      this.platform.configure(config);
    }`
}
  }
  decode(chunk: EncodedVideoChunk, side: EncodedVideoChunk | null, data: Uint8Array): void {
${
  options.decodeBody ??
  `    if (this.plugin) {
      this.plugin.decode(data);
    } else {
      this.platform!.decode(chunk);
      if (side) this.decodeSideChunk(side);
    }`
}
  }
  decodeSideChunk(side: EncodedVideoChunk): void {
    if (!this.sideDecoder) {
      this.sideDecoder = new VideoDecoder({ output: (frame) => frame.close(), error: () => {} });
    }
    this.sideDecoder.decode(side);
  }
${options.extra ?? ''}
  close(): void {
    if (this.plugin) {
      void this.plugin.close();
    } else {
      if (this.platform && this.platform.state !== 'closed') {
        this.platform.close();
      }
      if (this.sideDecoder && this.sideDecoder.state !== 'closed') {
        this.sideDecoder.close();
      }
    }
  }
}
export function openSlot(init: VideoDecoderInit, config: VideoDecoderConfig): { decode(chunk: EncodedVideoChunk, side: EncodedVideoChunk | null, data: Uint8Array): void; close(): void } {
  return new CodecSlot(init, config);
}
`;

ruleTester.run('require-owned-field-release (fields set apart)', rule, {
  valid: [
    // The platform decoder is set only where no plugin codec is, the side decoder only in a method that
    // only the plugin-less side of `decode` calls: where `close()` finds a plugin, neither holds a decoder.
    wrapper(),
    // The test that makes the side decoder written as a comparison with null.
    wrapper({ extra: '', decodeBody: `    if (this.plugin != null) {\n      this.plugin.decode(data);\n    } else {\n      this.platform!.decode(chunk);\n      if (side) this.decodeSideChunk(side);\n    }` }),
    // Another class of the file sets a field of the same name on its own instances.
    `${wrapper()}
export class AudioSlot {
  platform: AudioDecoder | null = null;
  open(init: AudioDecoderInit): void {
    this.platform?.close();
    this.platform = new AudioDecoder(init);
  }
  close(): void {
    this.platform?.close();
  }
}
`,
  ],
  invalid: [
    // A subclass sets the platform decoder again, whatever the slot holds.
    {
      code: `${wrapper()}
class SwappingSlot extends CodecSlot {
  swap(decoder: VideoDecoder): void {
    this.platform = decoder;
  }
}
export function swapped(init: VideoDecoderInit, config: VideoDecoderConfig): void {
  const slot = new SwappingSlot(init, config);
  slot.swap(new VideoDecoder(init));
  slot.close();
}
`,
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 35 }],
    },
    // Code of the file, outside the class, makes the side decoder of any slot.
    {
      code: `${wrapper()}
export function feedSide(slot: CodecSlot, side: EncodedVideoChunk): void {
  slot.decodeSideChunk(side);
}
`,
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 35 }],
    },
    // Code outside the class sets the platform decoder, whatever the slot holds.
    {
      code: `${wrapper()}
export function reopen(slot: CodecSlot, init: VideoDecoderInit): void {
  slot.platform = new VideoDecoder(init);
}
`,
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 35 }],
    },
    // Both set on one path of the constructor: with a plugin, the platform decoder is never closed.
    {
      code: wrapper({
        constructorBody: `    this.plugin = findPluginCodec(config);
    this.platform = new VideoDecoder(init);`,
      }),
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 30 }],
    },
    // Exported: code outside can call \`decodeSideChunk\` on a slot with a plugin, which \`close()\` then leaks.
    {
      code: wrapper({ exported: true }),
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 35 }],
    },
    // A method sets the plugin after construction: a slot may then hold both.
    {
      code: wrapper({ extra: '  usePlugin(codec: PluginCodec): void {\n    this.plugin = codec;\n  }' }).replace(
        'export function openSlot',
        'export function openSlotWith(init: VideoDecoderInit, config: VideoDecoderConfig, codec: PluginCodec): void {\n  const slot = new CodecSlot(init, config);\n  slot.usePlugin(codec);\n  slot.close();\n}\nexport function openSlot',
      ),
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 37 }, { messageId: 'fieldReleasedOnSomePaths', line: 37 }],
    },
    // The side decoder is also made on a path that does not test the plugin.
    {
      code: wrapper({ extra: '  prime(side: EncodedVideoChunk): void {\n    this.decodeSideChunk(side);\n  }' }),
      errors: [{ messageId: 'fieldReleasedOnSomePaths', line: 37 }],
    },
  ],
});
