/** A camera, microphone or screen that could not be used, in the user's language (kept form). */
import { mediaErrorReason, type MediaProblem } from '@/lib/localMedia';
import { text, type LocalText } from './localText';

/** "Camera unavailable: permission was denied". */
export function mediaProblemText(problem: MediaProblem): LocalText {
  return text(problem.device === 'camera' ? 'media.cameraUnavailable' : 'media.microphoneUnavailable', { reason: problem.reason });
}

/** A failure of the camera ("Camera: …") or of screen sharing ("Screen sharing: …"). */
export function mediaFailureText(what: 'camera' | 'screen', error: unknown): LocalText {
  return text(what === 'camera' ? 'media.cameraFailed' : 'media.screenFailed', { reason: mediaErrorReason(error) });
}
