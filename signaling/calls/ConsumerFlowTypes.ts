/**
 * The server's audio choice in a call (S28): past CALL_AUDIO_ALL_UP_TO participants (`limited`),
 * audio flows only from `speakers`, the CALL_AUDIO_LOUDEST most recent dominant speakers.
 */
export interface AudioChoice {
  limited: boolean;
  /** Newest first, as `call:speakers` names them. */
  speakers: string[];
}

/** Before the owner has said anything: everyone's audio flows. */
export const EVERY_VOICE: AudioChoice = { limited: false, speakers: [] };

export function sameChoice(a: AudioChoice, b: AudioChoice): boolean {
  return a.limited === b.limited && a.speakers.join() === b.speakers.join();
}
