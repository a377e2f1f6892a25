import type { types } from 'mediasoup';

/**
 * The codecs of every call's router: Opus for audio, VP8 for video, and H.264 constrained baseline
 * (packetization-mode 1, profile-level-id 42e01f) for iPhones and browsers without VP8 hardware.
 */
export const callMediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': 1000,
    },
  },
];
