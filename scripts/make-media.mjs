#!/usr/bin/env node
/**
 * Generates the demo's sample lectures, its icons and the lecture catalogue with ffmpeg:
 *
 *   public/media/lecture-1.mp4   H.264 (main, yuv420p) + AAC, +faststart, 3 min
 *   public/media/lecture-2.webm  VP9 + Opus, 2 min
 *   public/icons/icon-{192,512}.png
 *   public/lectures.json         the catalogue the demo lists (at the site root, not under /media/,
 *                                so the service worker precaches it with the app shell)
 *
 * The outputs are committed; run `npm run media` only to change them. Encodes use fixed bitrates,
 * two threads and bit-exact flags: the WebM reproduces byte for byte, the MP4 only to within a few
 * hundred bytes (threaded x264 rate control), so rerunning shows it as changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mediaDir = join(root, 'public', 'media');
const iconDir = join(root, 'public', 'icons');
const catalogueFile = join(root, 'public', 'lectures.json');

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
];
const BOLD_FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
];

/** Each lecture is a run of "slides"; the tone under it changes pitch with the slide. */
const LECTURES = [
  {
    id: 'lecture-1',
    title: 'Lecture 1 — Signals and Sampling',
    file: 'lecture-1.mp4',
    type: 'video/mp4',
    seconds: 180,
    background: '0x1e2a44',
    accent: '0xf2b134',
    slides: [
      'What is a signal?',
      'Continuous and discrete time',
      'Sampling a sine wave',
      'The Nyquist rate',
      'Aliasing, seen and heard',
      'Quantisation and bit depth',
      'PCM in practice: WAV files',
      'Compression: why codecs exist',
      'Summary and reading',
    ],
  },
  {
    id: 'lecture-2',
    title: 'Lecture 2 — How Video Codecs Work',
    file: 'lecture-2.webm',
    type: 'video/webm',
    seconds: 120,
    background: '0x21382f',
    accent: '0x7fd1ae',
    slides: ['Frames, pixels and colour', 'Intra prediction', 'Motion compensation', 'Transforms', 'Entropy coding', 'Summary'],
  },
];

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr.slice(-4000)}`);
  return result.stdout;
}

function firstExisting(paths) {
  return paths.find((path) => existsSync(path));
}

function hasFilter(name) {
  return new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(run('ffmpeg', ['-hide_banner', '-filters']));
}

/**
 * Quotes a value for a filter option: the quotes protect `,;[]` at the filtergraph level, `\:` the
 * colon at the option level. Quotes, backslashes and `%` (drawtext expansion) are kept out of the
 * texts rather than escaped through three levels.
 */
function filterText(text) {
  if (/['\\%]/.test(text)) throw new Error(`make-media: unsupported character in filter text ${JSON.stringify(text)}`);
  return `'${text.replace(/:/g, '\\:')}'`;
}

const font = hasFilter('drawtext') ? firstExisting(FONT_CANDIDATES) : undefined;
const boldFont = font ? (firstExisting(BOLD_FONT_CANDIDATES) ?? font) : undefined;
if (!font) console.warn('make-media: drawtext or a font is unavailable; using a plain test pattern.');

/**
 * A slide deck at 640x360: title bar, the current slide's heading, a "slide n / N" counter, a running
 * clock, and a small moving test pattern as the lecturer's camera (it also gives the encoder real
 * detail to spend bits on, so the file sizes are representative).
 */
function slidesFilter(lecture) {
  const slideSeconds = lecture.seconds / lecture.slides.length;
  const inputs = `color=c=${lecture.background}:size=640x360:rate=25:duration=${lecture.seconds}[bg];` +
    `testsrc2=size=192x108:rate=25:duration=${lecture.seconds}[cam];`;
  if (!font) return `${inputs}[bg][cam]overlay=x=W-w-24:y=H-h-24,format=yuv420p[v]`;
  const text = (options) =>
    `drawtext=fontfile=${filterText(options.bold ? boldFont : font)}:fontcolor=${options.color ?? 'white'}:` +
    `fontsize=${options.size}:x=${options.x}:y=${options.y}:text=${options.text}` +
    (options.enable ? `:enable=${filterText(options.enable)}` : '');
  const parts = [
    'drawbox=x=0:y=0:w=iw:h=56:color=black@0.35:t=fill',
    `drawbox=x=32:y=150:w=80:h=4:color=${lecture.accent}:t=fill`,
    text({ text: filterText(lecture.title), size: 22, x: 32, y: 18, bold: true }),
    ...lecture.slides.map((heading, index) =>
      text({
        text: filterText(heading),
        size: 30,
        x: 32,
        y: 104,
        bold: true,
        color: lecture.accent,
        enable: `gte(t,${index * slideSeconds})*lt(t,${(index + 1) * slideSeconds})`,
      }),
    ),
    text({ text: filterText('Offline lecture demo · generated with ffmpeg'), size: 16, x: 32, y: 176, color: 'white@0.7' }),
    text({
      text: `'Slide %{eif\\:trunc(t/${slideSeconds})+1\\:d} / ${lecture.slides.length}'`,
      size: 18,
      x: 32,
      y: 'h-40',
      color: 'white@0.85',
    }),
    text({ text: `'%{pts\\:hms}'`, size: 18, x: 200, y: 'h-40', color: 'white@0.85' }),
  ];
  return `${inputs}[bg]${parts.join(',')}[slides];[slides][cam]overlay=x=W-w-24:y=H-h-24,format=yuv420p[v]`;
}

/** A quiet tone (about -24 dBFS) whose pitch steps with each slide. */
function toneSource(lecture, sampleRate) {
  const slideSeconds = lecture.seconds / lecture.slides.length;
  const pitch = `(220+55*mod(trunc(t/${slideSeconds}),5))`;
  return `aevalsrc=exprs='0.06*sin(2*PI*${pitch}*t)':sample_rate=${sampleRate}:duration=${lecture.seconds}`;
}

const BITEXACT = ['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1'];

function encodeMp4(lecture, out) {
  run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-filter_complex', slidesFilter(lecture),
    '-f', 'lavfi', '-i', toneSource(lecture, 48000),
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libx264', '-profile:v', 'main', '-preset', 'medium', '-pix_fmt', 'yuv420p',
    // A fixed average bitrate keeps the size predictable (≥ 2 MB) whatever the slides look like.
    '-b:v', '150k', '-maxrate', '300k', '-bufsize', '600k', '-g', '50',
    '-c:a', 'aac', '-b:a', '48k', '-ac', '1',
    '-threads', '2', ...BITEXACT, '-movflags', '+faststart',
    '-t', String(lecture.seconds), out,
  ]);
}

function encodeWebm(lecture, out) {
  run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-filter_complex', slidesFilter(lecture),
    '-f', 'lavfi', '-i', toneSource(lecture, 48000),
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libvpx-vp9', '-b:v', '150k', '-minrate', '75k', '-maxrate', '300k', '-g', '50',
    '-deadline', 'good', '-cpu-used', '5', '-row-mt', '1', '-tile-columns', '1',
    '-c:a', 'libopus', '-b:a', '32k', '-ac', '1',
    '-threads', '2', ...BITEXACT,
    '-t', String(lecture.seconds), out,
  ]);
}

function probeDurationSeconds(file) {
  const output = run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Math.round(Number.parseFloat(output) * 100) / 100;
}

/** Square app icon: a play triangle on a dark tile, drawn full-bleed so it also works as maskable. */
function makeIcon(size, out) {
  const s = (fraction) => Math.round(size * fraction);
  const filters = [
    `drawbox=x=${s(0.18)}:y=${s(0.2)}:w=${s(0.64)}:h=${s(0.44)}:color=0x334766:t=fill`,
    `drawbox=x=${s(0.18)}:y=${s(0.2)}:w=${s(0.64)}:h=${s(0.44)}:color=0xf2b134:t=${Math.max(2, s(0.02))}`,
    `drawbox=x=${s(0.3)}:y=${s(0.7)}:w=${s(0.4)}:h=${s(0.05)}:color=0xf2b134:t=fill`,
  ];
  if (font) {
    filters.push(
      `drawtext=fontfile=${filterText(boldFont)}:text=${filterText('▶')}:fontcolor=white:fontsize=${s(0.3)}:` +
        `x=(w-text_w)/2:y=${s(0.42)}-text_h/2`,
    );
  }
  run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0x0f172a:size=${size}x${size}:duration=1`,
    '-vf', filters.join(','), '-frames:v', '1', ...BITEXACT, out,
  ]);
}

async function main() {
  mkdirSync(mediaDir, { recursive: true });
  mkdirSync(iconDir, { recursive: true });

  const catalogue = [];
  for (const lecture of LECTURES) {
    const out = join(mediaDir, lecture.file);
    const started = Date.now();
    if (lecture.type === 'video/mp4') encodeMp4(lecture, out);
    else encodeWebm(lecture, out);
    const entry = {
      id: lecture.id,
      title: lecture.title,
      url: `/media/${lecture.file}`,
      type: lecture.type,
      durationSeconds: probeDurationSeconds(out),
      sizeBytes: statSync(out).size,
    };
    console.log(`${entry.url}: ${entry.sizeBytes} bytes, ${entry.durationSeconds} s (${((Date.now() - started) / 1000).toFixed(1)} s to encode)`);
    catalogue.push(entry);
  }

  // The long lecture is generated by the Vite plugin at serve/build time; list it with its real size.
  const { module: longMedia } = await runnerImport(join(root, 'scripts', 'longMediaPlugin.ts'));
  const { module: wav } = await runnerImport(join(root, 'scripts', 'wav.ts'));
  const long = longMedia.LONG_LECTURE;
  catalogue.push({
    id: long.id,
    title: long.title,
    url: long.url,
    type: long.type,
    durationSeconds: long.tone.seconds,
    sizeBytes: wav.wavSizeBytes(long.tone),
  });

  for (const size of [192, 512]) makeIcon(size, join(iconDir, `icon-${size}.png`));

  writeFileSync(catalogueFile, JSON.stringify(catalogue, null, 2) + '\n');
  console.log(`wrote ${catalogue.length} lectures to public/lectures.json`);
}

await main();
