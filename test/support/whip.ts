/**
 * A WHIP encoder for the live ingest tests (RFC 9725): an @roamhq/wrtc peer connection sending
 * the synthetic camera (and microphone) sendonly, its offer POSTed with a stream key, the answer
 * applied; `end()` DELETEs the resource as OBS does when it stops.
 */
import wrtc from '@roamhq/wrtc';
import { SyntheticDevices, watchLifetime, type SyntheticMediaOptions } from './media';
import { waitFor } from './wait';

export interface WhipAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** POSTs an offer as an encoder does. */
export async function postOffer(baseUrl: string, key: string | null, sdp: string, contentType = 'application/sdp'): Promise<WhipAnswer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${baseUrl}/api/live/whip`, { method: 'POST', headers, body: sdp, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export class WhipEncoder {
  readonly pc: InstanceType<typeof wrtc.RTCPeerConnection>;
  private readonly devices: SyntheticDevices;
  location: string | null = null;

  constructor(options: SyntheticMediaOptions = {}) {
    this.devices = new SyntheticDevices(options);
    this.pc = new wrtc.RTCPeerConnection();
    watchLifetime(this, 'whip-encoder');
  }

  /** The offer of the synthetic tracks (sendonly), as an encoder would POST it. */
  async offer(): Promise<string> {
    const media = await this.devices.getUserMedia({ audio: true, video: true });
    for (const track of media.getTracks()) this.pc.addTransceiver(track, { direction: 'sendonly' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.pc.localDescription!.sdp;
  }

  /** Offers, POSTs and applies the answer; answers the POST's result (201 expected). */
  async publish(baseUrl: string, key: string): Promise<WhipAnswer> {
    const answer = await postOffer(baseUrl, key, await this.offer());
    if (answer.status !== 201) return answer;
    this.location = answer.headers.get('location');
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer.body });
    return answer;
  }

  async connected(timeoutMs = 15_000): Promise<void> {
    await waitFor('the WHIP encoder to connect', () => this.pc.connectionState === 'connected', timeoutMs);
  }

  /** DELETE of the resource (the stream ends); answers the status. */
  async end(baseUrl: string): Promise<number> {
    if (!this.location) throw new Error('publish first');
    const res = await fetch(new URL(this.location, baseUrl), { method: 'DELETE' });
    await res.arrayBuffer();
    return res.status;
  }

  close(): void {
    this.pc.close();
    this.devices.close();
  }
}
