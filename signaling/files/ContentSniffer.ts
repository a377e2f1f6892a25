import { fileTypeFromFile } from 'file-type';
import { MsgType, type FileKind } from '../protocol/models';
import { extensionOf } from './fileNames';

export interface Sniffed {
  /** Detected MIME type; `application/octet-stream` when the bytes match no known signature. */
  mime: string;
  kind: FileKind;
}

/** Image formats the thumbnailer (sharp's prebuilt libvips) decodes; other image types are plain files. */
const THUMBNAILABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);
/**
 * Containers that browsers' MediaRecorder writes voice clips into and that signature sniffing alone
 * reports as video (audio-only WebM, MP4, 3GP); accepted for voice messages.
 */
const VOICE_CONTAINERS = new Set(['video/webm', 'video/mp4', 'video/ogg', 'video/3gpp', 'video/quicktime']);

const IMAGE_EXT = new Set(['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'apng', 'gif', 'webp', 'avif', 'tif', 'tiff', 'bmp', 'heic', 'heif', 'svg', 'ico']);
const AUDIO_EXT = new Set(['mp3', 'wav', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'flac', 'amr', 'weba']);
const VIDEO_EXT = new Set(['mp4', 'm4v', 'mov', 'webm', 'mkv', 'avi', 'ogv', '3gp']);

export function kindOfMime(mime: string): FileKind {
  if (THUMBNAILABLE.has(mime)) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'file';
}

/** The content type from the bytes (file-type's signatures), never from the client. */
export async function sniffFile(file: string): Promise<Sniffed> {
  const detected = await fileTypeFromFile(file).catch(() => undefined);
  const mime = detected?.mime ?? 'application/octet-stream';
  return { mime, kind: kindOfMime(mime) };
}

type Family = 'image' | 'audio' | 'video';

/** What a client claims a file is, by declared MIME type and by name. */
export function claimedFamilies(declaredMime: string | undefined, name: string): Set<Family> {
  const claims = new Set<Family>();
  const mime = (declaredMime ?? '').toLowerCase();
  for (const family of ['image', 'audio', 'video'] as const) if (mime.startsWith(`${family}/`)) claims.add(family);
  const ext = extensionOf(name);
  if (IMAGE_EXT.has(ext)) claims.add('image');
  if (AUDIO_EXT.has(ext)) claims.add('audio');
  if (VIDEO_EXT.has(ext)) claims.add('video');
  return claims;
}

/** Whether detected content satisfies a claimed family. */
function satisfies(family: Family, mime: string): boolean {
  if (family === 'audio') return mime.startsWith('audio/') || VOICE_CONTAINERS.has(mime);
  if (family === 'video') return mime.startsWith('video/') || mime === 'audio/x-m4a' || mime === 'audio/mp4';
  return mime.startsWith('image/');
}

/** The first claim the bytes do not back up, if any. */
export function unmetClaim(claims: Set<Family>, mime: string): Family | null {
  for (const family of claims) if (!satisfies(family, mime)) return family;
  return null;
}

/** Whether a stored file may be sent as this message type (1 image, 2 voice, 3 video, 4 any file). */
export function fitsMsgType(msgtype: MsgType, kind: FileKind, mime: string): boolean {
  switch (msgtype) {
    case MsgType.Image:
      return kind === 'image';
    case MsgType.Voice:
      return kind === 'audio' || VOICE_CONTAINERS.has(mime);
    case MsgType.Video:
      return kind === 'video';
    case MsgType.File:
      return true;
    default:
      return false;
  }
}

export const msgTypeNoun: Record<number, string> = {
  [MsgType.Image]: 'an image',
  [MsgType.Voice]: 'a voice clip (audio)',
  [MsgType.Video]: 'a video',
  [MsgType.File]: 'a file',
};
