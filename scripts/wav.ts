/**
 * A long PCM WAV file computed from its byte offsets, so any byte range can be produced on its own
 * without generating (or committing) the whole file. The dev server plugin, the build and the e2e
 * test origin all serve the same bytes from these functions.
 *
 * The signal is a quiet tone whose pitch steps every `STEP_SECONDS`; every pitch is a whole number
 * of hertz, so each step starts and ends at phase 0 and the steps join without clicks.
 */

export interface WavHeaderOptions {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Length of the PCM data chunk. */
  dataBytes: number;
}

export interface WavToneOptions {
  seconds: number;
  sampleRate: number;
  channels: number;
}

export const WAV_HEADER_BYTES = 44;
const BITS_PER_SAMPLE = 16;
const BYTES_PER_SAMPLE = BITS_PER_SAMPLE / 8;
const STEP_SECONDS = 10;
const PITCHES_HZ = [220, 277, 330, 440, 330, 277] as const;
/** About -20 dBFS: audible but quiet. */
const AMPLITUDE = 3277;

/** The canonical 44-byte RIFF/WAVE header for integer PCM. */
export function wavHeader(opts: WavHeaderOptions): Uint8Array {
  const { sampleRate, channels, bitsPerSample, dataBytes } = opts;
  if (![sampleRate, channels, bitsPerSample, dataBytes].every((n) => Number.isInteger(n) && n >= 0)) {
    throw new TypeError('wavHeader: every option must be a non-negative integer');
  }
  // RIFF sizes are 32-bit: the chunk size field holds 36 + dataBytes.
  if (dataBytes > 0xffffffff - 36) throw new RangeError('wavHeader: dataBytes does not fit a RIFF file');
  const blockAlign = (channels * bitsPerSample) / 8;
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size for PCM
  view.setUint16(20, 1, true); // format tag 1 = integer PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitsPerSample, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

function frameCount(opts: WavToneOptions): number {
  const frames = Math.round(opts.seconds * opts.sampleRate);
  if (!(frames > 0) || !Number.isInteger(opts.sampleRate) || !Number.isInteger(opts.channels) || opts.channels < 1) {
    throw new TypeError('wavBytes: seconds, sampleRate and channels must be positive (rate and channels integers)');
  }
  return frames;
}

/** Total length in bytes of the 16-bit WAV described by `opts`, header included. */
export function wavSizeBytes(opts: WavToneOptions): number {
  return WAV_HEADER_BYTES + frameCount(opts) * opts.channels * BYTES_PER_SAMPLE;
}

let cachedTable: { sampleRate: number; samples: Int16Array } | undefined;

/** One period of the tone at 1 Hz, sampled at `sampleRate`: every pitch is a stride through it. */
function sineTable(sampleRate: number): Int16Array {
  if (cachedTable?.sampleRate !== sampleRate) {
    const samples = new Int16Array(sampleRate);
    for (let k = 0; k < sampleRate; k++) samples[k] = Math.round(AMPLITUDE * Math.sin((2 * Math.PI * k) / sampleRate));
    cachedTable = { sampleRate, samples };
  }
  return cachedTable.samples;
}

/** The 16-bit sample value of frame `frame` (the same on every channel). */
function sampleAt(frame: number, sampleRate: number): number {
  const framesPerStep = STEP_SECONDS * sampleRate;
  const step = Math.floor(frame / framesPerStep);
  const pitchHz = PITCHES_HZ[step % PITCHES_HZ.length] ?? PITCHES_HZ[0];
  const frameInStep = frame - step * framesPerStep;
  // `pitchHz * frameInStep` is an exact integer; reducing it modulo the rate keeps the phase exact
  // however far into the file the frame is, and makes it an index into the one-period table.
  return sineTable(sampleRate)[(pitchHz * frameInStep) % sampleRate] ?? 0;
}

/**
 * Bytes `[start, endExclusive)` of the WAV described by `opts`: header followed by 16-bit
 * little-endian PCM. Work and memory grow with the range length, never with the file size.
 */
export function wavBytes(start: number, endExclusive: number, opts: WavToneOptions): Uint8Array {
  const size = wavSizeBytes(opts);
  if (!Number.isInteger(start) || !Number.isInteger(endExclusive) || start < 0 || start > endExclusive || endExclusive > size) {
    throw new RangeError(`wavBytes: range [${start}, ${endExclusive}) is not within [0, ${size})`);
  }
  const out = new Uint8Array(endExclusive - start);
  let offset = start;
  if (offset < WAV_HEADER_BYTES) {
    const header = wavHeader({
      sampleRate: opts.sampleRate,
      channels: opts.channels,
      bitsPerSample: BITS_PER_SAMPLE,
      dataBytes: size - WAV_HEADER_BYTES,
    });
    const headerEnd = Math.min(WAV_HEADER_BYTES, endExclusive);
    out.set(header.subarray(offset, headerEnd), 0);
    offset = headerEnd;
  }
  const bytesPerFrame = opts.channels * BYTES_PER_SAMPLE;
  const dataStart = offset - WAV_HEADER_BYTES;
  const dataEnd = endExclusive - WAV_HEADER_BYTES;
  // Output index of data byte 0 (negative when the range starts inside the data).
  const outBase = offset - start - dataStart;
  let frame = Math.floor(dataStart / bytesPerFrame);
  for (let frameOffset = frame * bytesPerFrame; frameOffset < dataEnd; frame++, frameOffset += bytesPerFrame) {
    const sample = sampleAt(frame, opts.sampleRate) & 0xffff;
    const from = Math.max(frameOffset, dataStart);
    const to = Math.min(frameOffset + bytesPerFrame, dataEnd);
    // Little-endian: the even byte of each sample is its low byte.
    for (let byte = from; byte < to; byte++) out[outBase + byte] = byte % 2 === 0 ? sample & 0xff : sample >> 8;
  }
  return out;
}
