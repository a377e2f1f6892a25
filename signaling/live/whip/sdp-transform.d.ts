/** The parts of sdp-transform (no bundled types) that WHIP ingest reads and writes. */
declare module 'sdp-transform' {
  export interface SdpRtp {
    payload: number;
    codec: string;
    rate?: number;
    encoding?: string | number;
  }
  export interface SdpFmtp {
    payload: number;
    config: string;
  }
  export interface SdpRtcpFb {
    payload: number | string;
    type: string;
    subtype?: string;
  }
  export interface SdpExt {
    value: number;
    direction?: string;
    uri: string;
  }
  export interface SdpSsrc {
    id: number | string;
    attribute: string;
    value?: string;
  }
  export interface SdpCandidate {
    foundation: string | number;
    component: number;
    transport: string;
    priority: number;
    ip: string;
    port: number;
    type: string;
    tcptype?: string;
  }
  export interface SdpFingerprint {
    type: string;
    hash: string;
  }
  export interface SdpMedia {
    type: string;
    port: number;
    protocol: string;
    payloads?: string | number;
    connection?: { version: number; ip: string };
    mid?: string | number;
    direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
    iceUfrag?: string;
    icePwd?: string;
    fingerprint?: SdpFingerprint;
    setup?: string;
    rtp: SdpRtp[];
    fmtp: SdpFmtp[];
    rtcpFb?: SdpRtcpFb[];
    ext?: SdpExt[];
    ssrcs?: SdpSsrc[];
    ssrcGroups?: { semantics: string; ssrcs: string }[];
    rids?: { id: string | number; direction: string; params?: string }[];
    simulcast?: { dir1: string; list1: string; dir2?: string; list2?: string };
    candidates?: SdpCandidate[];
    endOfCandidates?: string;
    rtcpMux?: string;
    rtcpRsize?: string;
  }
  export interface SessionDescription {
    version?: number;
    origin?: { username: string; sessionId: string | number; sessionVersion: number; netType: string; ipVer: number; address: string };
    name?: string;
    timing?: { start: number; stop: number };
    icelite?: string;
    iceUfrag?: string;
    icePwd?: string;
    fingerprint?: SdpFingerprint;
    setup?: string;
    groups?: { type: string; mids: string }[];
    msidSemantic?: { semantic: string; token: string };
    media: SdpMedia[];
  }
  export function parse(sdp: string): SessionDescription;
  export function write(session: SessionDescription): string;
  export function parseParams(config: string): Record<string, string | number>;
}
